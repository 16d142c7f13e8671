/* 导办工作台 — view #curated (人工审核答案): the reviewed answers that now answer the same and similar
 * questions (shown to citizens as 【人工审核】), with a button to disable one.  New ones are written
 * from an answer in #conversation/<id> (correction.js). */
import { api } from "/web/staff/api.js";
import { el, clear, view, loading, fail, simpleTable, toast, toastError, viewHead } from "/web/staff/dom.js";
import { fmtTime } from "/web/staff/format.js";

function disableButton(c) {
  return el("button", { type: "button", className: "btn small", text: "停用", onclick: () => {
    if (!window.confirm("停用这条人工审核答案？")) return;
    api("/curated/" + encodeURIComponent(c.id) + "/disable", { method: "POST", body: {} })
      .then(() => { toast("已停用"); viewCurated(); }).catch(toastError);
  } });
}

export function viewCurated() {
  loading("人工审核答案");
  api("/curated").then((b) => {
    const v = clear(view());
    v.appendChild(viewHead("人工审核答案",
      el("span", { className: "muted", text: "相同或相近的问题直接使用这些答案（显示为【人工审核】）。在会话详情里“写更正答案”即可新增。" })));
    if (!b.curated.length) { v.appendChild(el("p", { className: "empty", text: "还没有人工审核答案。" })); return; }
    v.appendChild(simpleTable(["问题", "事项", "答案", "引用", "作者", "时间", ""], b.curated.map((c) =>
      [c.question, c.item_name || c.item_id, c.answer, c.chunk_ids.length + " 条", c.created_by, fmtTime(c.created_at), disableButton(c)]),
    "curated-table"));
  }).catch(fail);
}
