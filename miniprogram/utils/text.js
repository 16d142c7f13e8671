/* Answer text → pieces the chat renders: plain text, [n] citation markers and phone numbers
 * (tap to call).  No look-behind regex: older iOS JavaScriptCore in WeChat does not have it. */
var PHONE = /^(?:12345|0\d{2,3}-\d{7,8}|1[3-9]\d{9})$/;
var TOKEN = /\[(\d{1,3})\]|[\d-]+/g;

function segments(text, citations) {
  text = typeof text === "string" ? text : "";
  var known = {};
  (citations || []).forEach(function (c) { if (c && c.n !== undefined) known[String(c.n)] = true; });
  var out = [];
  var last = 0;
  var m;
  function plain(s) {
    if (!s) return;
    var prev = out[out.length - 1];
    if (prev && prev.type === "text") prev.text += s;
    else out.push({ type: "text", text: s });
  }
  TOKEN.lastIndex = 0;
  while ((m = TOKEN.exec(text)) !== null) {
    plain(text.slice(last, m.index));
    last = TOKEN.lastIndex;
    if (m[1] !== undefined && known[m[1]]) out.push({ type: "cite", n: Number(m[1]), text: "[" + m[1] + "]" });
    else if (m[1] === undefined && PHONE.test(m[0])) out.push({ type: "phone", phone: m[0], text: m[0] });
    else plain(m[0]);
  }
  plain(text.slice(last));
  return out.map(function (s, i) { s.key = i; return s; });
}

/* "综合政务大厅 · 公共服务和综合办件专区 · A33、A34 窗口" */
function place(item) {
  var loc = (item && item.location) || {};
  var windows = Array.isArray(loc.windows) ? loc.windows.join("、") : "";
  return [loc.hall, loc.zone, windows ? windows + " 窗口" : ""].filter(Boolean).join(" · ");
}

module.exports = { segments: segments, place: place, PHONE: PHONE };
