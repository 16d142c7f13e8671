/* 导办工作台 — who is signed in (GET /me, set once by main.js) and the list of service items (GET /items,
 * fetched once) with the item select that the conversation filters and the correction form use.  No view. */
import { api } from "/web/staff/api.js";
import { el } from "/web/staff/dom.js";

let me = null;     // {username, role}
let items = null;  // [{id, name, department}]

export function signedIn() { return me; }
export function setSignedIn(m) { me = m; }
export function isAdmin() { return !!me && me.role === "admin"; }

export function loadItems() {
  if (items) return Promise.resolve(items);
  return api("/items").then((b) => { items = b.items; return items; });
}

/* itemSelect("fix-item", "340100-001" or "结婚登记", "请选择事项"): the loaded items, the given one selected. */
export function itemSelect(id, value, anyLabel, label) {
  const sel = el("select", { id, "data-testid": id, "aria-label": label || "事项" });
  if (anyLabel) sel.appendChild(el("option", { value: "", text: anyLabel }));
  (items || []).forEach((it) => {
    const o = el("option", { value: it.id, text: it.name });
    if (it.id === value || it.name === value) o.selected = true;
    sel.appendChild(o);
  });
  return sel;
}
