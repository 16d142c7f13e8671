/* 导办工作台 — view #gaps (缺口): questions that were refused for want of evidence, rated badly or marked
 * wrong, grouped by similarity, each group with a link to the hit test and to its latest conversation. */
import { api, qs } from "/web/staff/api.js";
import { el, clear, view, loading, fail, select, field, viewHead, DAY_RANGES } from "/web/staff/dom.js";
import { fmtTime } from "/web/staff/format.js";

const REASONS = { refused: "拒答", bad_rating: "差评", wrong: "核对有误" };
let filters = {};

function filterBar(b) {
  const f = filters;
  const days = select("g-days", DAY_RANGES, f.days || 30, "统计时间范围");
  const th = el("input", { type: "number", id: "g-threshold", min: "0.8", max: "0.99", step: "0.01", value: String(b.threshold) });
  const oos = el("input", { type: "checkbox", checked: !!f.oos });
  const go = el("button", { type: "button", className: "btn", text: "刷新",
    onclick: () => { filters = { days: days.value, threshold: th.value, oos: oos.checked }; viewGaps(); } });
  return el("div", { className: "filters inline" }, [days, field("相似度阈值", th),
    el("label", { className: "check" }, [oos, " 包括超出服务范围的拒答"]), go,
    el("span", { className: "muted", text: b.total + " 个问题，" + b.groups.length + " 组" })]);
}

function gapNode(g) {
  const questions = el("ul", { className: "gap-qs" });
  g.questions.forEach((q) => questions.appendChild(el("li", { text: q.text + (q.count > 1 ? " ×" + q.count : "") })));
  const reasons = Object.keys(g.reasons).map((k) => (REASONS[k] || k) + " " + g.reasons[k]).join(" · ");
  const ex = g.examples[g.examples.length - 1];
  return el("article", { className: "gap", "data-testid": "gap" }, [
    el("div", { className: "gap-count", text: String(g.count) }),
    el("div", { className: "gap-body" }, [
      el("h3", { text: g.label }),
      el("p", { className: "muted small", text: reasons + (g.items.length ? " · 答成：" + g.items.join("、") : "") + " · 最近 " + fmtTime(g.last_at) }),
      questions,
      el("div", { className: "actions" }, [
        el("a", { className: "btn", href: "#hit-test?q=" + encodeURIComponent(g.label), text: "命中测试" }),
        ex ? el("a", { className: "btn ghost-dark", href: "#conversation/" + encodeURIComponent(ex.conversation_id), text: "查看会话并更正" }) : null
      ])
    ])
  ]);
}

export function viewGaps() {
  const f = filters;
  loading("缺口");
  api("/gaps" + qs({ days: f.days || 30, threshold: f.threshold || "", out_of_scope: f.oos ? "true" : "" })).then((b) => {
    const v = clear(view());
    v.appendChild(viewHead("缺口", el("span", { className: "muted", text: "被拒答（未找到依据）、差评或核对为有误的问题，按相似度分组。" })));
    v.appendChild(filterBar(b));
    if (!b.groups.length) { v.appendChild(el("p", { className: "empty", text: "这段时间没有缺口。" })); return; }
    b.groups.forEach((g) => v.appendChild(gapNode(g)));
  }).catch(fail);
}
