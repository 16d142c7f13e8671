/* 便民方舟 导办助手 — the parts of an answer below its text, drawn from the chat response's fields:
 *   items       → one card per service item: 办理地点 (hall · zone · windows), 地址, 办理时间, 网上办理 with
 *                 a "去网上办理 ↗" link, and a badge "可网上办" / "需到现场";
 *   citations   → "出处": one collapsed <details id="m3-cite-1"> per source, opened by a click on [1];
 *   suggestions → chips to ask next, or, for a clarifying question (kind "clarify"), the choices.
 * Each function empties its container first and hides it when there is nothing to show. */
import { el } from "/web/chat/dom.js";
import { safeUrl } from "/web/chat/text.js";

function row(label, value) {
  return el("div", { className: "row" }, [el("dt", { text: label }), el("dd", { text: value })]);
}

/* "网上办理: 江苏政务服务网 → 婚姻登记预约 去网上办理 ↗" (the link only for an http(s) URL). */
function onlineRow(online) {
  const url = safeUrl(online.url);
  const val = el("dd", null, [online.route]);
  if (url) {
    val.appendChild(document.createTextNode(" "));
    val.appendChild(el("a", { href: url, target: "_blank", rel: "noopener noreferrer", className: "online-link",
      text: "去网上办理 ↗" }));
  }
  return el("div", { className: "row" }, [el("dt", { text: "网上办理" }), val]);
}

function itemRows(it) {
  const loc = it.location || {};
  const windows = Array.isArray(loc.windows) ? loc.windows.join("、") : (loc.windows || "");
  const place = [loc.hall, loc.zone, windows ? windows + " 窗口" : ""].filter(Boolean).join(" · ");
  const rows = [];
  if (place) rows.push(row("办理地点", place));
  if (loc.address) rows.push(row("地址", loc.address));
  if (it.hours) rows.push(row("办理时间", it.hours));
  const online = it.online || {};
  if (online.route) rows.push(onlineRow(online));
  return rows;
}

function itemCard(it) {
  const online = it.online || {};
  const badge = online.available === false
    ? el("span", { className: "badge offline", text: "需到现场" })
    : (online.route ? el("span", { className: "badge online", text: "可网上办" }) : null);
  return el("section", { className: "item-card", "data-testid": "item-card", "aria-label": it.name || "办事事项" }, [
    el("header", { className: "item-head" }, [
      el("h2", { className: "item-name", text: it.name || "" }),
      badge
    ]),
    it.department ? el("p", { className: "item-dept", text: it.department }) : null,
    el("dl", { className: "item-rows" }, itemRows(it))
  ]);
}

export function renderItems(container, items) {
  container.textContent = "";
  (items || []).forEach((it) => { if (it) container.appendChild(itemCard(it)); });
  container.hidden = !container.children.length;
}

function citationNode(c, msgId) {
  const url = safeUrl(c.url);
  const label = [c.title, c.section].filter(Boolean).join(" ");
  const body = el("div", { className: "citation-body" }, [
    // a long article scrolls inside its box (max-height): the box takes keyboard focus so it can be scrolled
    // without a mouse (axe scrollable-region-focusable), and says what it holds
    el("p", { className: "citation-text", text: c.text || "", tabindex: "0", "aria-label": "引用原文：" + label }),
    (c.source || url) ? el("p", { className: "citation-source" }, [
      c.source ? "来源：" + c.source : "",
      url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: (c.source ? " 查看原文 ↗" : "查看原文 ↗") }) : null
    ]) : null
  ]);
  return el("details", { className: "citation", "data-testid": "citation", id: msgId + "-cite-" + c.n, "data-n": c.n }, [
    el("summary", null, [el("span", { className: "cite-n", text: "[" + c.n + "]" }), " ", el("span", { className: "cite-label", text: label })]),
    body
  ]);
}

export function renderCitations(container, citations, msgId) {
  container.textContent = "";
  const list = (citations || []).filter(Boolean);
  if (!list.length) { container.hidden = true; return; }
  container.appendChild(el("h3", { className: "section-title", text: "出处" }));
  list.forEach((c) => container.appendChild(citationNode(c, msgId)));
  container.hidden = false;
}

export function renderSuggestions(container, suggestions, kind) {
  container.textContent = "";
  const list = (suggestions || []).filter((s) => typeof s === "string" && s.trim());
  if (!list.length) { container.hidden = true; return; }
  const isChoice = kind === "clarify";
  container.className = "chips" + (isChoice ? " choices" : "");
  container.setAttribute("aria-label", isChoice ? "请选择您要办的事" : "您可能还想问");
  if (isChoice) container.appendChild(el("p", { className: "hint", text: "请选择最接近的一项：" }));
  list.forEach((s) => {
    container.appendChild(el("button", { type: "button", className: "chip" + (isChoice ? " choice" : ""),
      "data-testid": "chip", text: s }));
  });
  container.hidden = false;
}
