/* 便民方舟 导办助手 — 好差评: under every recorded answer, "这条回答您满意吗？" with the five ratings.
 * 非常满意 / 满意 / 基本满意 are sent at once (POST /v1/feedback); 不满意 or worse first opens the details:
 * the tags (the one list the server keeps, GET /v1/feedback/tags), a text box and, only when the centre
 * takes callback numbers (GET /v1/feedback/callback says enabled), a phone field that needs the consent
 * box ticked (then POST /v1/feedback/callback).  The server's Chinese reply is shown in the status line. */
import { el } from "/web/chat/dom.js";
import { ApiError, getJson, postJson } from "/web/chat/api.js";

const RATINGS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"];
const BAD = 3;  // RATINGS[3:] are 不满意 or worse: they ask what went wrong
let badTags = [];  // served by the server, the one list of rating tags (GET /v1/feedback/tags)
let callbackInfo = { enabled: false, consent_text: "" };

function isBad(rating) { return RATINGS.indexOf(rating) >= BAD; }

/* At page start: whether callback numbers are taken (and the consent text), and the tags. */
export function loadRatingOptions() {
  getJson("/v1/feedback/callback")
    .then((j) => { if (j) callbackInfo = j; })
    .catch(() => { /* no callback numbers offered */ });
  getJson("/v1/feedback/tags")
    .then((j) => { if (j && Array.isArray(j.tags)) badTags = j.tags; })
    .catch(() => { /* rating without tags */ });
}

/* The bar's controls, not yet placed: the rating buttons, the tags, the text, the callback fields. */
function ratingControls() {
  return {
    status: el("p", { className: "rating-status", role: "status", "data-testid": "rating-status" }),
    buttons: RATINGS.map((r, i) => el("button", { type: "button", className: "rate-btn" + (i >= BAD ? " bad" : ""),
      "data-testid": "rating-btn", "data-rating": r, "aria-pressed": "false", text: r })),
    tags: badTags.map((t) => el("button", { type: "button", className: "rate-tag", "data-testid": "rating-tag",
      "aria-pressed": "false", text: t })),
    text: el("textarea", { className: "rating-text", rows: "2", maxlength: "500", "data-testid": "rating-text",
      "aria-label": "补充说明（可选）", placeholder: "哪里不满意？补充说明（可选，请勿填写身份证号、手机号）" }),
    submit: el("button", { type: "button", className: "rate-submit", "data-testid": "rating-submit", text: "提交评价" }),
    // 回访: only when the centre takes numbers (an encryption key is configured); optional, with consent
    phone: el("input", { type: "tel", className: "callback-phone", maxlength: "20", "data-testid": "callback-phone",
      "aria-label": "回访电话（可选）", placeholder: "需要回访？留下电话（可选）", autocomplete: "tel" }),
    consent: el("input", { type: "checkbox", "data-testid": "callback-consent" }),
  };
}

/* Place the controls: question, buttons, scale, the hidden details (tags, text, callback, submit), status. */
function ratingBar(c) {
  const scale = el("div", { className: "rating-scale", "aria-hidden": "true" },
    [el("span", { text: "满意" }), el("span", { text: "不满意" })]);
  const consentLabel = el("span", { className: "consent-text", text: callbackInfo.consent_text || "" });
  const callbackBox = el("div", { className: "callback", "data-testid": "callback" },
    [c.phone, el("label", { className: "consent" }, [c.consent, " ", consentLabel])]);
  callbackBox.hidden = !callbackInfo.enabled;
  c.detail = el("div", { className: "rating-detail", "data-testid": "rating-detail" },
    [el("div", { className: "rating-tags" }, c.tags), c.text, callbackBox, c.submit]);
  c.detail.hidden = true;
  c.bar = el("div", { className: "rating", "data-testid": "rating-bar", role: "group", "aria-label": "评价这条回答" }, [
    el("span", { className: "rating-q", text: "这条回答您满意吗？" }), el("div", { className: "rating-btns" }, c.buttons),
    scale, c.detail, c.status]);
  return c.bar;
}

/* The rating first, then (when a number was given) the callback; their two messages are shown together. */
function submitRating(c, ids, rating) {
  const picked = c.tags.filter((t) => t.getAttribute("aria-pressed") === "true").map((t) => t.textContent);
  const body = { message_id: ids.messageId, rating_token: ids.ratingToken || "", rating, tags: isBad(rating) ? picked : [],
    text: isBad(rating) && c.text.value.trim() ? c.text.value.trim() : null };
  const number = isBad(rating) && callbackInfo.enabled ? c.phone.value.trim() : "";
  if (number && !c.consent.checked) { c.status.textContent = "留下电话需要先勾选同意回访。"; return; }
  c.status.textContent = "提交中…";
  c.submit.disabled = true;
  postJson("/v1/feedback", body, "评价没有提交成功，请稍后再试。")
    .then((j) => {
      if (!number) return j;
      return postJson("/v1/feedback/callback", { message_id: ids.messageId, rating_token: ids.ratingToken || "", phone: number, consent: true },
        "回访电话没有提交成功，请稍后再试。").then((cb) => {
        c.phone.value = "";
        return { message: (j.message || "") + cb.message };
      });
    })
    .then((j) => {
      c.status.textContent = j.message || "感谢您的评价！";
      c.bar.classList.add("rated");
      c.detail.hidden = true;
    })
    .catch((err) => {
      c.status.textContent = err instanceof ApiError ? err.message : "网络连接失败，评价没有提交。";
    })
    .then(() => { c.submit.disabled = false; });
}

function wireRating(c, ids) {
  let chosen = null;
  c.buttons.forEach((b) => {
    b.addEventListener("click", () => {
      chosen = b.getAttribute("data-rating");
      c.buttons.forEach((o) => { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
      if (isBad(chosen)) {  // 不满意 or worse: ask what went wrong first
        c.detail.hidden = false;
        c.status.textContent = "";
        c.text.focus();
      } else {
        submitRating(c, ids, chosen);
      }
    });
  });
  c.tags.forEach((t) => {
    t.addEventListener("click", () => {
      t.setAttribute("aria-pressed", t.getAttribute("aria-pressed") === "true" ? "false" : "true");
    });
  });
  c.submit.addEventListener("click", () => { if (chosen) submitRating(c, ids, chosen); });
}

/* Add the bar to an answer that the server recorded (it has a message_id); once per message. */
export function renderRating(msg, messageId, ratingToken) {
  if (!messageId || typeof messageId !== "string" || msg.rating) return;
  const c = ratingControls();
  msg.rating = ratingBar(c);
  msg.bubble.appendChild(msg.rating);
  wireRating(c, { messageId, ratingToken });
}
