/* 导办工作台 — before a correction is saved, which past questions would it catch?  (POST /staff/api/curated/preview,
 * assistant/staff_curated.py).  A native ES module; staff.js's correction form calls
 * Daoban.catchPreview(questionInput, itemSelect) for the box.  Server text goes in with textContent only. */
import { api } from "/web/staff_api.js";

const el = window.Daoban.el;

window.Daoban.catchPreview = function (question, itemSel) {
  const list = el("ul", { className: "notes", "data-testid": "fix-catches" });
  const status = el("p", { className: "muted small", role: "status", "data-testid": "fix-catches-status" });
  const run = el("button", { type: "button", className: "btn", text: "预览会命中的以往问题", "data-testid": "fix-preview" });
  run.onclick = async () => {
    if (!itemSel.value) { status.textContent = "请先选择事项"; return; }
    status.textContent = "查找中…";
    while (list.firstChild) list.removeChild(list.firstChild);
    try {
      const b = await api("/curated/preview", { method: "POST", body: { question: question.value, item_id: itemSel.value } });
      status.textContent = `近 ${b.days} 天的 ${b.checked} 个问题中，这条更正会回答 ${b.catches.length} 个：`;
      b.catches.forEach((c) => list.appendChild(el("li", { "data-testid": "fix-catch", text: `${c.question}（${c.count} 次）` })));
    } catch (e) { status.textContent = e.message; }
  };
  return el("div", { className: "fix-preview" }, [run, status, list]);
};
