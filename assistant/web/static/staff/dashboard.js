/* 导办工作台 — view #dashboard (看板): the key numbers of the chosen period (questions, refusal rate,
 * satisfaction, open and overdue cases, curated answers), the charts, and the overdue cases (case_team.js). */
import { api, qs } from "/web/staff/api.js";
import { el, clear, view, loading, fail, select, card, viewHead, DAY_RANGES } from "/web/staff/dom.js";
import { KIND_LABELS, RATING_COLORS, pct, channelLabel } from "/web/staff/format.js";
import { barChart, dayChart, donut } from "/web/staff/charts.js";
import { overdueList } from "/web/staff/case_team.js";

let days = 30;

function kpi(label, value, testid, tone) {
  return el("div", { className: "kpi" + (tone ? " " + tone : ""), "data-testid": testid }, [
    el("div", { className: "kpi-value", text: value }), el("div", { className: "kpi-label", text: label })]);
}

function kpis(d) {
  return el("div", { className: "kpis", "data-testid": "dashboard-kpis" }, [
    kpi("问题数", String(d.questions), "kpi-questions"),
    kpi("会话数", String(d.conversations), "kpi-conversations"),
    kpi("拒答率", pct(d.refusal_rate), "kpi-refusal", d.refusal_rate > 0.2 ? "warn" : ""),
    kpi("满意率（基本满意及以上）", pct(d.satisfaction), "kpi-satisfaction"),
    kpi("评价数 / 参评率", d.rated + " / " + pct(d.rating_rate), "kpi-rated"),
    kpi("待办工单 / 超期", d.cases.open + " / " + d.cases.overdue, "kpi-cases", d.cases.overdue ? "danger" : ""),
    kpi("人工审核答案 / 已使用", d.curated.active + " / " + d.curated.answers, "kpi-curated")
  ]);
}

function ratingCard(d) {
  const rows = () => d.ratings.map((r) => ({ label: r.rating, value: r.count, color: RATING_COLORS[r.rating] }));
  return card("评价分布（好差评）", [el("div", { className: "donut-wrap" }, [
    donut(rows()), barChart(rows(), { title: "评价", labelWidth: 90, width: 300 })])], "chart-ratings");
}

function charts(d) {
  const legend = el("p", { className: "legend" }, [el("span", { className: "sw", style: "background:#1557a0" }), "问题 ",
    el("span", { className: "sw", style: "background:#e8831a" }), "其中拒答"]);
  const kinds = Object.keys(d.kinds).map((k) => ({ label: KIND_LABELS[k] || k, value: d.kinds[k], color: k === "refuse" ? "#e8831a" : "#1557a0" }));
  return el("div", { className: "grid2" }, [
    card("每日问题数", [dayChart(d.per_day), legend], "wide chart-per-day"),
    card("渠道", [barChart(d.channels.map((c) => ({ label: channelLabel(c.channel), value: c.count })), { title: "渠道" })], "chart-channels"),
    card("热门事项", [barChart(d.top_items.map((c) => ({ label: c.name, value: c.count })), { title: "热门事项", labelWidth: 160 })], "chart-items"),
    ratingCard(d),
    card("回答类型", [barChart(kinds, { title: "回答类型" })], "chart-kinds")
  ]);
}

export function viewDashboard() {
  loading("看板");
  api("/dashboard" + qs({ days })).then((d) => {
    const v = clear(view());
    const range = select("dash-days", DAY_RANGES, days, "统计时间范围");
    range.onchange = () => { days = +range.value; viewDashboard(); };
    v.appendChild(viewHead("看板", el("span", { className: "muted", text: d.start + " 至 " + d.end }), range));
    v.appendChild(kpis(d));
    v.appendChild(charts(d));
    overdueList(v);
  }).catch(fail);
}
