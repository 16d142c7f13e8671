/* 导办工作台 — the staff console's entry module (staff.html loads it with <script type="module">).
 * Native ES modules, no build step, no CDN; charts are inline SVG.  Talks to /staff/api/* with the
 * sign-in cookie; a 401 sends the browser to /staff/login.  Everything from the server goes into the page
 * with textContent (never innerHTML).  Here: sign-in check (GET /me), the nav, and the hash router that
 * picks a view module ("#cases" → cases.js, "#conversation/<id>" → conversation.js, …). */
import { api, qs, nextRoute } from "/web/staff/api.js";
import { view, toast, fail } from "/web/staff/dom.js";
import { setSignedIn } from "/web/staff/session.js";
import { viewDashboard } from "/web/staff/dashboard.js";
import { viewConversations } from "/web/staff/conversations.js";
import { viewConversation } from "/web/staff/conversation.js";
import { viewCases, updateOverdueBadge } from "/web/staff/cases.js";
import { viewBulk } from "/web/staff/bulk.js";
import { viewGaps } from "/web/staff/gaps.js";
import { viewHitTest } from "/web/staff/hit_test.js";
import { viewCurated } from "/web/staff/curated.js";
import { kbView } from "/web/staff/kb.js";
import { viewStaff } from "/web/staff/accounts.js";
import { viewHandoffs } from "/web/staff/handoffs.js";

/* The part after "#name/" or "#name?": "conversation/abc" → "abc". */
function rest(hash, name) { return decodeURIComponent(hash.slice(name.length + 1)); }

const VIEWS = {
  conversation: (h) => viewConversation(rest(h, "conversation")),
  conversations: () => viewConversations(),
  cases: () => viewCases(),
  bulk: () => viewBulk(view()),
  gaps: () => viewGaps(),
  "hit-test": (h) => { const m = /[?&]q=([^&]*)/.exec(h); return viewHitTest(m ? decodeURIComponent(m[1]) : ""); },
  curated: () => viewCurated(),
  kb: () => kbView(view(), toast),
  staff: () => viewStaff(),
  handoffs: (h) => viewHandoffs(view(), rest(h, "handoffs")),
};

function markNav(name) {
  document.querySelectorAll(".nav a").forEach((a) => {
    const v = a.getAttribute("data-view");
    const on = v === name || (name === "conversation" && v === "conversations");
    a.classList.toggle("active", on);
    if (on) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
}

/* "#conversation/abc" → the conversation view; an unknown or empty hash → the 看板. */
function route() {
  nextRoute();
  const h = location.hash.replace(/^#/, "") || "dashboard";
  const name = h.split(/[/?]/)[0];
  markNav(name);
  return (VIEWS.hasOwnProperty(name) ? VIEWS[name] : viewDashboard)(h);
}

function init() {
  document.getElementById("logout").onclick = () => {
    fetch("/staff/logout", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: "{}" })
      .then(() => { location.href = "/staff/login"; });
  };
  api("/me").then((m) => {
    setSignedIn(m);
    document.getElementById("who").textContent = m.username + "（" + (m.role === "admin" ? "管理员" : "导办员") + "）";
    window.addEventListener("hashchange", route);
    route();
    api("/cases" + qs({ overdue: "true" }), { keep: true }).then(updateOverdueBadge).catch(() => { /* badge only */ });
  }).catch(fail);
}

init();
