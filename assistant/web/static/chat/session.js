/* 便民方舟 导办助手 — what the chat page keeps in sessionStorage (so a reload of the tab continues the
 * conversation, and a new tab or "新对话" starts a fresh one):
 *   "daoban.session_id" — the server's session id of this conversation (from the answer's meta);
 *   "daoban.handoff"    — when the conversation was handed to the 导办台 (the time, ms), so a reload keeps
 *                         polling for the staff's replies (handoff.js).
 * Storage can be missing or refuse writes (private mode, blocked cookies): then nothing is kept. */
const SESSION_KEY = "daoban.session_id";
const HANDOFF_KEY = "daoban.handoff";

export function getSession() {
  try { return window.sessionStorage.getItem(SESSION_KEY) || null; } catch (e) { return null; }
}

export function setSession(id) {
  if (!id || typeof id !== "string") return;
  try { window.sessionStorage.setItem(SESSION_KEY, id); } catch (e) { /* private mode */ }
}

export function clearSession() {
  try { window.sessionStorage.removeItem(SESSION_KEY); } catch (e) { /* ignore */ }
}

export function markHandoff() {
  try { window.sessionStorage.setItem(HANDOFF_KEY, String(Date.now())); } catch (e) { /* private mode */ }
}

export function clearHandoff() {
  try { window.sessionStorage.removeItem(HANDOFF_KEY); } catch (e) { /* ignore */ }
}

/* True when this tab's conversation was handed over and is still going (a reload resumes polling). */
export function handoffPending() {
  try { return !!(window.sessionStorage.getItem(HANDOFF_KEY) && getSession()); } catch (e) { return false; }
}
