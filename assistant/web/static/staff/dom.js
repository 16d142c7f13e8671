/* 导办工作台 — DOM helpers shared by every view of the console.  Draws the pieces, not a view: form fields,
 * selects, tables, cards, the toast, and the main #view area ("加载中…", an error line).
 * Server text always goes in with textContent (el(), from common.js), never innerHTML. */
export const el = window.Daoban.el;  // common.js (a classic script loaded before the modules)

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

/* The main area every view draws into (#view in staff.html). */
export function view() { return document.getElementById("view"); }

/* Empty the view and show its title with "加载中…" until the data is there. */
export function loading(title) {
  const v = clear(view());
  v.appendChild(el("h2", { text: title }));
  const p = el("p", { className: "muted", text: "加载中…" });
  v.appendChild(p);
  return p;
}

export function fail(err) {
  view().appendChild(el("p", { className: "form-error", role: "alert", text: err.message || String(err) }));
}

/* A view's heading row: el("h2"), then the rest (a hint, a date range, a select…). */
export function viewHead(title, ...rest) {
  return el("div", { className: "view-head" }, [el("h2", { text: title }), ...rest]);
}

let toastTimer = null;

/* toast("工单已更新") for 4 seconds; toast(err.message, true) in red. */
export function toast(msg, bad, ms = 4000) {
  const t = document.getElementById("toast");
  t.textContent = msg;
  t.className = "toast" + (bad ? " bad" : "");
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, ms);
}

/* A failed action, said in the toast: promise.catch(toastError). */
export function toastError(e) { toast(e.message, true); }

export function field(label, input) {
  return el("label", { className: "field" }, [el("span", { text: label }), input]);
}

/* select("c-status", [["", "全部状态"], ["待回访", "待回访"]], current, "按状态筛选").
 * label: the select's accessible name when it is not wrapped in field() (axe-core select-name). */
export function select(id, options, value, label) {
  const s = el("select", { id, "data-testid": id });
  if (label) s.setAttribute("aria-label", label);
  options.forEach((o) => {
    const opt = el("option", { value: o[0], text: o[1] });
    if (String(o[0]) === String(value || "")) opt.selected = true;
    s.appendChild(opt);
  });
  return s;
}

export const DAY_RANGES = [[7, "近 7 天"], [30, "近 30 天"], [90, "近 90 天"], [365, "近一年"]];

export function card(title, body, extra) {
  return el("section", { className: "card" + (extra ? " " + extra : "") }, [el("h3", { text: title })].concat(body));
}

/* simpleTable(["事项", "总分"], [["结婚登记", "0.91"]], "ht-results"): cells are text or nodes. */
export function simpleTable(headers, rows, testid) {
  return el("div", { className: "table-wrap" }, [el("table", { className: "table compact", "data-testid": testid || null }, [
    el("thead", {}, [el("tr", {}, headers.map((h) => el("th", { text: h })))]),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, [c instanceof Node ? c : String(c)])))))
  ])]);
}

/* An answer's text with its [n] markers as small tags: "带身份证[1]" → "带身份证" <sup>[1]</sup>. */
export function answerNode(text) {
  const p = el("div", { className: "answer-text" });
  String(text || "").split(/(\[\d{1,3}\])/).forEach((part) => {
    if (/^\[\d{1,3}\]$/.test(part)) p.appendChild(el("sup", { className: "ref", text: part }));
    else if (part) p.appendChild(document.createTextNode(part));
  });
  return p;
}
