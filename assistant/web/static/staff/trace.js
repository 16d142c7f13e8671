/* 导办工作台 — why an answer was given, drawn under each answer of #conversation/<id> and in #hit-test:
 * one plain sentence, the rules in Chinese (description on hover and for screen readers), the evidence
 * quoted; the scores and routing details stay folded away, for admins only. */
import { el, simpleTable } from "/web/staff/dom.js";
import { fx } from "/web/staff/format.js";
import { isAdmin } from "/web/staff/session.js";

/* rules: [{label: "没有依据", description: "…", known: true}] from the server's rule_labels. */
export function whyNode(why, rules, testid) {
  const box = el("div", { className: "why", "data-testid": testid || "trace-why" }, [
    el("p", { className: "why-text" }, [el("strong", { text: "为什么这样回答：" }), why || "—"])]);
  if ((rules || []).length) {
    box.appendChild(el("ul", { className: "rule-list", "aria-label": "用到的规则" }, rules.map((r) =>
      el("li", { className: "rule-label" + (r.known ? "" : " unknown"), title: r.description, "data-testid": "rule-label" },
        [r.label, el("span", { className: "visually-hidden", text: "：" + r.description })]))));
  }
  return box;
}

function evidence(citations) {
  const ol = el("ol", { className: "cites" });
  citations.forEach((c) => {
    ol.appendChild(el("li", { "data-testid": "trace-citation" }, c.missing ? [c.chunk_id + "（索引中已不存在）"] :
      [el("strong", { text: c.title + " · " + c.section }), el("p", { className: "cite-text", text: c.text })]));
  });
  return ol;
}

function traceFacts(tr) {
  const dl = el("dl", { className: "kv" });
  function kv(k, v) {
    if (v === undefined || v === null || v === "") return;
    dl.appendChild(el("dt", { text: k }));
    dl.appendChild(el("dd", { text: typeof v === "string" ? v : JSON.stringify(v) }));
  }
  kv("规范化", tr.normalized);
  kv("改写后的检索词", tr.query);
  kv("扩展词", tr.expansion);
  kv("方面", (tr.aspects || []).join("、"));
  kv("规则", (tr.rules || []).join("  "));
  kv("决策", tr.decision);
  kv("生成方式", tr.answer_by);
  kv("渠道", tr.channel);
  kv("耗时", tr.ms !== undefined ? tr.ms + " ms" : "");
  if (tr.signals) kv("信号", { top_item_score: tr.signals.top_item_score, item_ok: tr.signals.item_ok, law_ok: tr.signals.law_ok, policy_cue: tr.signals.policy_cue });
  return dl;
}

/* The admin's folded details: the trace's facts, the item scores and the retrieved chunks. */
function adminDetails(tr) {
  const d = el("details", { className: "trace", "data-testid": "trace" });
  d.appendChild(el("summary", { text: "检索打分与路由细节（管理员） · " + (tr.decision || "—") }));
  d.appendChild(traceFacts(tr));
  if ((tr.items || []).length) {
    d.appendChild(el("h5", { text: "事项打分" }));
    d.appendChild(simpleTable(["事项", "总分", "别名", "语义", "词法", "证据", "理由"], tr.items.map((i) =>
      [i.name || i.item_id, fx(i.score), i.alias || "", fx(i.semantic), fx(i.lexical), fx(i.evidence), (i.reasons || []).join("、")])));
  }
  if ((tr.retrieved || []).length) {
    d.appendChild(el("h5", { text: "检索到的片段" }));
    d.appendChild(simpleTable(["#", "片段", "BM25", "向量", "融合", "BM25名次", "向量名次"], tr.retrieved.map((h, i) =>
      [String(i + 1), h.title + " · " + h.section, fx(h.bm25), fx(h.dense), fx(h.score, 4), h.bm25_rank || "—", h.dense_rank || "—"]), "trace-retrieved"));
  }
  return d;
}

/* t: one turn of GET /conversations/<id> (why, rule_labels, citations, trace). */
export function traceNode(t) {
  const wrap = el("div", { className: "trace-wrap" }, [whyNode(t.why, t.rule_labels)]);
  if ((t.citations || []).length) {
    wrap.appendChild(el("h4", { className: "evidence-title", text: "依据" }));
    wrap.appendChild(evidence(t.citations));
  }
  if (isAdmin()) wrap.appendChild(adminDetails(t.trace || {}));
  return wrap;
}
