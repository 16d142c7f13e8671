/* 导办工作台 — how the console writes values: answer kinds and channels in Chinese, times, percentages and
 * scores.  Draws no view; every view imports from here so "拒答" or "2025-03-01 09:30" look the same everywhere. */
import { el } from "/web/staff/dom.js";

export const KIND_LABELS = { guide: "办事指引", policy: "政策解答", clarify: "澄清", refuse: "拒答", handoff: "转人工", chitchat: "寒暄" };
export const CHANNEL_LABELS = { web: "网页", wechat: "公众号", miniprogram: "小程序", api: "接口" };
export const RATING_COLORS = { "非常满意": "#1d8a4f", "满意": "#5cae6e", "基本满意": "#c9a227", "不满意": "#e07b39", "非常不满意": "#c8372d" };

/* "2025-03-01T09:30:12" → "2025-03-01 09:30"; nothing → "—". */
export function fmtTime(iso) { return iso ? iso.slice(0, 16).replace("T", " ") : "—"; }

/* The same with " UTC" after it (the 转人工 view shows server times as they are). */
export function fmtUtc(iso) { return iso ? fmtTime(iso) + " UTC" : "—"; }

/* 0.1234 → "12.3%"; null → "—". */
export function pct(x) { return x === null || x === undefined ? "—" : (Math.round(x * 1000) / 10) + "%"; }

/* A score with n decimals (3 unless told): 0.91234 → "0.912"; not a number → "—" or the text itself. */
export function fx(v, n) {
  if (typeof v === "number") return v.toFixed(n === undefined ? 3 : n);
  return v === undefined || v === null ? "—" : String(v);
}

export function kindBadge(kind) { return el("span", { className: "kind kind-" + kind, text: KIND_LABELS[kind] || kind || "—" }); }

export function channelLabel(c) { return CHANNEL_LABELS[c] || c || "网页"; }
