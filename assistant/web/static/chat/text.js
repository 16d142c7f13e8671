/* 便民方舟 导办助手 — an answer's text as HTML, the one place the chat page builds HTML from a string.
 * Everything is escaped first; then only these are marked up:
 *   "https://zwfw.example.gov.cn/x" → a link that opens in a new tab;
 *   "12345", "0527-80000000", "13812345678" → a tel: link (a tap on a phone dials it);
 *   "【所需材料】" → a bold section heading;
 *   "[1]" → a superscript link to citation 1 of the same message (only when the answer cites 1).
 * Line breaks are kept by CSS (white-space: pre-wrap). */

function escapeHtml(s) {
  return String(s)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/* An http(s) URL from the server, trimmed; anything else (javascript:, data:, not a string) → null. */
export function safeUrl(u) {
  if (typeof u !== "string") return null;
  const s = u.trim();
  return /^https?:\/\//i.test(s) ? s : null;
}

// URLs and phone numbers (12345, 0527-80000000, a mobile) in one pass, so a number inside a URL stays in it
const LINKS = /(https?:\/\/[^\s<>"'（）()，。；、【】\[\]]+)|(?<![\d-])(12345|0\d{2,3}-\d{7,8}|1[3-9]\d{9})(?![\d-])/g;

/* answerHtml("带身份证[1]", {"1": true}, "m3") → '带身份证<sup class="cite-ref"><a href="#m3-cite-1" …'.
 * citationNumbers: the numbers the message cites (citationIndex); null links every [n]. */
export function answerHtml(text, citationNumbers, msgId) {
  let html = escapeHtml(text || "");
  html = html.replace(LINKS, (m, url, phone) => {
    if (url) return '<a href="' + url + '" target="_blank" rel="noopener noreferrer">' + url + "</a>";
    return '<a href="tel:' + phone + '" class="tel" data-testid="tel-link">' + phone + "</a>";
  });
  html = html.replace(/【([^】\n]{1,24})】/g, '<strong class="sec">【$1】</strong>');
  html = html.replace(/\[(\d{1,3})\]/g, (m, n) => {
    if (citationNumbers && !citationNumbers[n]) return m;
    return '<sup class="cite-ref"><a href="#' + msgId + "-cite-" + n + '" data-cite="' + n +
      '" aria-label="查看出处' + n + '"><span class="cite-n">[' + n + "]</span></a></sup>";
  });
  return html;
}

/* [{n: 1, …}, {n: 2, …}] → {"1": true, "2": true}: the [n] markers answerHtml turns into links. */
export function citationIndex(citations) {
  const map = {};
  (citations || []).forEach((c) => { if (c && c.n !== undefined) map[String(c.n)] = true; });
  return map;
}
