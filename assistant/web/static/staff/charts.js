/* 导办工作台 — the 看板's charts as inline SVG (no chart library, no CDN): horizontal bars (渠道, 热门事项,
 * 评价, 回答类型), the per-day questions with refusals stacked in orange, and the rating donut. */
const SVGNS = "http://www.w3.org/2000/svg";

export function svg(tag, attrs, children) {
  const node = document.createElementNS(SVGNS, tag);
  Object.keys(attrs || {}).forEach((k) => {
    if (k === "text") node.textContent = attrs[k];
    else node.setAttribute(k, attrs[k]);
  });
  (children || []).forEach((c) => { if (c) node.appendChild(c); });
  return node;
}

/* barChart([{label: "网页", value: 12, color?}], {title, width?, labelWidth?}): one horizontal bar a row. */
export function barChart(rows, opts = {}) {
  const w = opts.width || 420, barH = 22, gap = 8, labelW = opts.labelWidth || 130;
  const h = Math.max(1, rows.length) * (barH + gap) + 4;
  const max = Math.max(...rows.map((r) => r.value), 1);
  const root = svg("svg", { viewBox: "0 0 " + w + " " + h, width: "100%", role: "img", "aria-label": opts.title || "", "class": "chart" });
  if (!rows.length) {
    root.setAttribute("viewBox", "0 0 " + w + " 30");
    root.appendChild(svg("text", { x: 4, y: 20, "class": "chart-empty", text: "暂无数据" }));
    return root;
  }
  rows.forEach((r, i) => {
    const y = i * (barH + gap) + 2;
    const bw = Math.max(2, (w - labelW - 48) * r.value / max);
    const label = r.label.length > 9 ? r.label.slice(0, 9) + "…" : r.label;
    root.appendChild(svg("g", {}, [
      svg("title", { text: r.label + "：" + r.value }),
      svg("text", { x: labelW - 6, y: y + barH * 0.7, "text-anchor": "end", "class": "chart-label", text: label }),
      svg("rect", { x: labelW, y, width: bw, height: barH, rx: 3, fill: r.color || "#1557a0" }),
      svg("text", { x: labelW + bw + 6, y: y + barH * 0.7, "class": "chart-value", text: String(r.value) })
    ]));
  });
  return root;
}

const DAY = { w: 760, h: 220, left: 36, bottom: 28, top: 10 };

function dayGrid(root, max) {
  const { w, h, left, bottom, top } = DAY;
  const ticks = max >= 2 ? [0, Math.round(max / 2), max] : [0, max];
  ticks.forEach((t) => {
    const y = h - bottom - (h - bottom - top) * t / max;
    root.appendChild(svg("line", { x1: left, x2: w - 4, y1: y, y2: y, "class": "grid" }));
    root.appendChild(svg("text", { x: left - 4, y: y + 4, "text-anchor": "end", "class": "chart-axis", text: String(t) }));
  });
}

/* dayChart([{date: "2025-03-01", total: 40, refuse: 3}]): questions a day, refusals stacked in orange. */
export function dayChart(days) {
  const { w, h, left, bottom, top } = DAY;
  const n = days.length || 1;
  const max = Math.max(...days.map((d) => d.total), 1);
  const step = (w - left - 8) / n, bw = Math.max(2, step * 0.7);
  const root = svg("svg", { viewBox: "0 0 " + w + " " + h, width: "100%", role: "img", "aria-label": "每日问题数", "class": "chart" });
  dayGrid(root, max);
  days.forEach((d, i) => {
    const x = left + i * step + (step - bw) / 2;
    const hTot = (h - bottom - top) * d.total / max;
    const hRef = (h - bottom - top) * d.refuse / max;
    root.appendChild(svg("g", {}, [
      svg("title", { text: d.date + "：问题 " + d.total + "，拒答 " + d.refuse }),
      svg("rect", { x, y: h - bottom - hTot, width: bw, height: Math.max(0, hTot - hRef), fill: "#1557a0", rx: 1 }),
      svg("rect", { x, y: h - bottom - hRef, width: bw, height: hRef, fill: "#e8831a", rx: 1 })
    ]));
    const every = Math.ceil(n / 10);
    if (i % every === 0 || i === n - 1) {
      root.appendChild(svg("text", { x: x + bw / 2, y: h - 8, "text-anchor": "middle", "class": "chart-axis", text: d.date.slice(5) }));
    }
  });
  return root;
}

/* donut([{label: "满意", value: 5, color}]): the share of each rating, the total in the middle. */
export function donut(rows) {
  const total = rows.reduce((s, r) => s + r.value, 0);
  const root = svg("svg", { viewBox: "0 0 120 120", width: "120", height: "120", role: "img", "aria-label": "评价分布", "class": "donut" });
  if (!total) {
    root.appendChild(svg("circle", { cx: 60, cy: 60, r: 44, fill: "none", stroke: "#dde3ea", "stroke-width": 18 }));
    root.appendChild(svg("text", { x: 60, y: 64, "text-anchor": "middle", "class": "chart-empty", text: "暂无评价" }));
    return root;
  }
  const c = 2 * Math.PI * 44;
  let offset = 0;
  rows.forEach((r) => {
    if (!r.value) return;
    const len = c * r.value / total;
    root.appendChild(svg("circle", { cx: 60, cy: 60, r: 44, fill: "none", stroke: r.color, "stroke-width": 18,
      "stroke-dasharray": len + " " + (c - len), "stroke-dashoffset": -offset, transform: "rotate(-90 60 60)" },
      [svg("title", { text: r.label + "：" + r.value })]));
    offset += len;
  });
  root.appendChild(svg("text", { x: 60, y: 66, "text-anchor": "middle", "class": "donut-total", text: String(total) }));
  return root;
}
