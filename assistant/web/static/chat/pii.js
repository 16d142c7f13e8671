/* 便民方舟 导办助手 — personal data: warn before it is sent.  While the person types, #pii-warning shows
 * when the text looks like an ID number (18 digits, the last may be X), a mobile or landline number, or a
 * bank card, typed with or without spaces/dashes and in full-width digits too: e.g. 3213 0219 9001 0112 3X,
 * 138-1234-5678, 0527-80000000, １３８１２３４５６７８.  The server masks them anyway (guard.mask_pii); this
 * only tells the person before they send it. */
import { ui } from "/web/chat/dom.js";

const PII_RE = /(?:^|\D)(?:\d[\s-]?){17}[\dXx](?!\d)|(?:^|\D)1[3-9]\d(?:[\s-]?\d){8}(?!\d)|(?:^|\D)0\d{2,3}[\s-]?\d{7,8}(?!\d)|(?:^|\D)(?:\d[\s-]?){15,18}\d(?!\d)/;

export function looksPersonal(text) {
  return PII_RE.test(String(text || "").replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xFEE0)));
}

export function warnPersonalData() {
  const box = document.getElementById("pii-warning");
  if (box) box.hidden = !looksPersonal(ui.input.value);
}
