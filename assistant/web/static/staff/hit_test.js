/* 导办工作台 — view #hit-test[?q=…] (命中测试): one question's fused retrieval (BM25 and vector scores),
 * item scores and routing outcome with why (trace.js); and a batch test of many questions with their
 * expected items (pasted or from a CSV/TSV/TXT file) giving the hit rate. */
import { api, qs } from "/web/staff/api.js";
import { el, clear, view, card, simpleTable, answerNode, viewHead } from "/web/staff/dom.js";
import { KIND_LABELS, pct, fx, kindBadge } from "/web/staff/format.js";
import { whyNode } from "/web/staff/trace.js";

function errorIn(out) { return (e) => { clear(out).appendChild(el("p", { className: "form-error", text: e.message })); }; }

function outcomeCard(b) {
  const o = b.outcome;
  const items = o.items.map((i) => i.name + (typeof i.score === "number" ? "（" + i.score.toFixed(2) + "）" : "")).join("、");
  return card("路由结果", [
    whyNode(o.why, o.rule_labels, "ht-why"),
    el("p", {}, [kindBadge(o.kind), " ", el("span", { className: "muted small", "data-testid": "ht-decision", text: o.decision || "" }),
      o.curated ? el("span", { className: "badge ok", text: "人工审核答案" }) : null]),
    el("p", { text: "事项：" + (items || "无") + " · 检索词：" + (o.query || b.query) + " · " + (o.ms || "?") + " ms" }),
    answerNode(o.answer)
  ], "outcome");
}

function rankedCard(ranked) {
  return card("事项打分", [simpleTable(["事项", "总分", "别名", "语义", "词法", "证据"], ranked.map((i) =>
    [i.name || i.item_id, fx(i.score), i.alias || "", fx(i.semantic), fx(i.lexical), fx(i.evidence)]))]);
}

function retrievalCard(results) {
  return card("融合检索", [simpleTable(["#", "片段", "类型", "BM25", "BM25名次", "向量", "向量名次", "融合"], results.map((h, i) =>
    [String(i + 1), h.title + " · " + h.section, h.kind === "law" ? "法条" : "指南", fx(h.bm25), h.bm25_rank || "—", fx(h.dense), h.dense_rank || "—", fx(h.score, 4)]),
  "ht-results")]);
}

function runHit(q, out) {
  if (!q.trim()) return;
  clear(out).appendChild(el("p", { className: "muted", text: "检索中…" }));
  api("/hit-test" + qs({ q })).then((b) => {
    clear(out);
    out.appendChild(outcomeCard(b));
    if ((b.outcome.ranked || []).length) out.appendChild(rankedCard(b.outcome.ranked));
    out.appendChild(retrievalCard(b.results));
  }).catch(errorIn(out));
}

function renderBatch(b, out) {
  clear(out);
  out.appendChild(el("p", { className: "hit-rate", "data-testid": "batch-rate" }, [
    "命中率（首选事项正确）：", el("strong", { text: pct(b.hit_rate) }),
    " · 前三含期望：" + pct(b.hit_any_rate) + " · 计分 " + b.scored + " / " + b.total + " 题"]));
  out.appendChild(simpleTable(["", "问题", "期望", "结果", "事项", "决策"], b.results.map((r) => {
    const mark = r.error ? "⚠" : (r.hit === null ? "—" : (r.hit ? "✓" : "✗"));
    return [mark, r.question, r.error || r.expected || "—", KIND_LABELS[r.kind] || r.kind,
      r.items.map((i) => i.name).join("、") || "—", r.decision || ""];
  }), "batch-table"));
}

/* The batch card: one question a line ("问题<Tab或逗号>期望事项"), or read from a file. */
function batchCard() {
  const text = el("textarea", { id: "batch-text", "data-testid": "batch-text", rows: "6", "aria-label": "批量测试的问题，每行一题",
    placeholder: "每行一题：问题<Tab或逗号>期望事项（编号或名称；也可写“拒答”）\n结婚登记要带什么,结婚登记\n明天天气怎么样,拒答" });
  const file = el("input", { type: "file", accept: ".csv,.tsv,.txt", "data-testid": "batch-file", "aria-label": "从文件导入问题（CSV/TSV/TXT）" });
  file.onchange = () => {
    const f = file.files && file.files[0];
    if (!f) return;
    const reader = new FileReader();
    reader.onload = () => { text.value = String(reader.result || ""); };
    reader.readAsText(f, "utf-8");
  };
  const out = el("div", { "data-testid": "batch-out" });
  const run = el("button", { type: "button", className: "btn primary", text: "批量测试", "data-testid": "batch-run" });
  run.onclick = () => {
    run.disabled = true;
    clear(out).appendChild(el("p", { className: "muted", text: "测试中…" }));
    api("/hit-test", { method: "POST", body: { text: text.value } }).then((b) => renderBatch(b, out))
      .catch(errorIn(out))
      .then(() => { run.disabled = false; });
  };
  return card("批量命中测试", [text, el("div", { className: "actions" }, [file, run]), out], "batch");
}

export function viewHitTest(q) {
  const v = clear(view());
  v.appendChild(viewHead("命中测试", el("span", { className: "muted", text: "看一个问题的融合检索（BM25 与向量分数）和路由结果；或批量测试命中率。" })));
  const input = el("input", { type: "search", id: "ht-q", "data-testid": "ht-q", "aria-label": "要测试的问题", placeholder: "输入一个问题，例如：公积金租房能取吗", maxlength: "500", value: q || "" });
  const out = el("div", { id: "ht-out", "data-testid": "ht-out" });
  const form = el("form", { className: "searchbar" }, [input, el("button", { type: "submit", className: "btn primary", text: "测试", "data-testid": "ht-run" })]);
  form.onsubmit = (e) => { e.preventDefault(); runHit(input.value, out); };
  v.appendChild(form);
  v.appendChild(out);
  v.appendChild(batchCard());
  if (q) runHit(q, out);
}
