/* 导办工作台 — view #kb (知识库): edit a guide in a form (kb_form.js), preview answers, publish without a
 * restart, versions with diff and one-click rollback; upload an Excel template / Word 办事指南 with
 * preview → publish; export links.  Errors are shown in the toast (a 401 does not leave the page). */
import { API, request } from "/web/staff/api.js";
import { el, clear } from "/web/staff/dom.js";
import { fillForm, collect } from "/web/staff/kb_form.js";

const ACTIONS = { original: "原始版本", publish: "发布", rollback: "回滚", "import": "导入" };

function call(path, opts = {}) { return request(path, { ...opts, noRedirect: true }); }

/* ed: the editor of one view: {id, data, form, versions, diffBox, toast, load(id)}. */
function versionRow(ed, v) {
  const diff = () => call("/kb/guides/" + ed.id + "/diff?version=" + v.id).then((r) => {
    ed.diffBox.textContent = r.diff || "（与当前文件相同）"; ed.diffBox.hidden = false;
  }).catch((e) => ed.toast(e.message, true));
  const rollback = () => {
    if (!window.confirm("回滚到这个版本并立即发布？")) return;
    call("/kb/guides/" + ed.id + "/rollback", { method: "POST", body: { version_id: v.id } }).then((r) => {
      ed.toast("已回滚并发布（" + r.seconds.total + " 秒）"); ed.load(ed.id);
    }).catch((e) => ed.toast(e.message, true));
  };
  return el("div", { className: "kb-version", "data-testid": "kb-version" }, [
    el("span", { text: v.at + " " + v.by + " " + (ACTIONS[v.action] || v.action) + (v.note ? "：" + v.note : "") }),
    el("button", { type: "button", text: "差异", onclick: diff }),
    el("button", { type: "button", text: "回滚到此版本", "data-testid": "kb-rollback", "data-version": v.id, onclick: rollback })
  ]);
}

function showVersions(ed, list) {
  clear(ed.versions);
  ed.versions.appendChild(el("h3", { text: "历史版本" }));
  if (!list.length) ed.versions.appendChild(el("p", { className: "muted", text: "尚无发布记录。" }));
  list.forEach((v) => ed.versions.appendChild(versionRow(ed, v)));
}

function editor(toast) {
  const ed = { id: null, data: null, toast,
    form: el("div", { className: "kb-form" }),
    versions: el("div", { className: "kb-versions", "data-testid": "kb-versions" }),
    diffBox: el("pre", { className: "kb-diff", "data-testid": "kb-diff", hidden: true }) };
  ed.load = (id) => {
    ed.id = id;
    call("/kb/guides/" + encodeURIComponent(id)).then((r) => {
      ed.data = r.data;
      fillForm(ed.form, r.data);
      showVersions(ed, r.versions);
    }).catch((e) => toast(e.message, true));
  };
  return ed;
}

function guideSelect(ed) {
  const select = el("select", { "data-testid": "kb-guide-select" }, [el("option", { value: "", text: "选择办事指南…" })]);
  select.onchange = () => { if (select.value) ed.load(select.value); };
  call("/items").then((r) => {
    r.items.forEach((g) => select.appendChild(el("option", { value: g.id, text: g.name + "（" + g.id + "）" })));
  });
  return select;
}

function previewControls(ed, out) {
  const questions = el("textarea", { rows: 3, "data-testid": "kb-preview-questions", placeholder: "每行一个问题，例如：在哪个窗口办" });
  const preview = () => {
    if (!ed.id) return;
    out.textContent = "正在按修改后的指南生成预览……";
    const qs = questions.value.split("\n").map((x) => x.trim()).filter(Boolean);
    call("/kb/guides/" + ed.id + "/preview", { method: "POST", body: { data: collect(ed.form, ed.data), questions: qs } }).then((r) => {
      clear(out);
      r.answers.forEach((a) => out.appendChild(el("div", { className: "kb-answer" }, [el("strong", { text: a.question }), el("pre", { text: a.answer })])));
    }).catch((e) => { out.textContent = e.message; });
  };
  return [questions, el("button", { type: "button", text: "预览回答", "data-testid": "kb-preview", onclick: preview })];
}

function publishControls(ed) {
  const note = el("input", { "data-testid": "kb-note", placeholder: "修改说明（可空）" });
  const publishBtn = el("button", { type: "button", className: "primary", text: "发布", "data-testid": "kb-publish" });
  publishBtn.onclick = () => {
    if (!ed.id) return;
    publishBtn.disabled = true;
    call("/kb/guides/" + ed.id + "/publish", { method: "POST", body: { data: collect(ed.form, ed.data), note: note.value } }).then((r) => {
      ed.toast("已发布（" + r.seconds.total + " 秒，无需重启）"); ed.load(ed.id);
    }).catch((e) => ed.toast(e.message, true)).then(() => { publishBtn.disabled = false; });
  };
  return [note, publishBtn];
}

function editSection(toast) {
  const ed = editor(toast);
  const previewOut = el("div", { className: "kb-preview", "data-testid": "kb-preview-out" });
  return el("section", { className: "card" }, [
    el("h2", { text: "办事指南编辑与发布" }),
    el("p", { className: "muted", text: "修改后先预览回答，再发布：系统校验、写入语料、增量重建索引并立即生效（无需重启）。每次发布都保留版本，可查看差异、一键回滚。" }),
    guideSelect(ed), ed.form,
    el("div", { className: "kb-actions" }, [...previewControls(ed, previewOut), ...publishControls(ed)]),
    previewOut, ed.versions, ed.diffBox
  ]);
}

/* "新增 a；更新 b；跳过 c 原因" after an upload, or the problems (file, where, field: message) when it failed. */
function uploader(file, out, toast) {
  return (publish) => {
    if (!file.files.length) { toast("请先选择 .xlsx 或 .docx 文件", true); return; }
    const fd = new FormData(); fd.append("file", file.files[0]);
    call("/kb/upload?publish=" + (publish ? "true" : "false"), { method: "POST", body: fd }).then((r) => {
      const rep = r.report;
      out.textContent = (publish ? "已导入并发布：" : "预览（未写入）：") + "新增 " + rep.imported.join("、") + "；更新 " + rep.updated.join("、") +
        "；跳过 " + rep.skipped.map((s) => s.where + " " + s.why).join("；");
    }).catch((e) => {
      const rep = e.body && e.body.report;
      out.textContent = e.message + (rep ? "\n" + rep.problems.map((p) => p.file + " " + p.where + " " + (p.field || "") + "：" + p.message).join("\n") : "");
    });
  };
}

function uploadSection(toast) {
  const file = el("input", { type: "file", accept: ".xlsx,.docx", "data-testid": "kb-upload-file" });
  const out = el("pre", { className: "kb-upload-out", "data-testid": "kb-upload-out" });
  const upload = uploader(file, out, toast);
  return el("section", { className: "card" }, [
    el("h2", { text: "批量导入（Excel 模板 / Word 办事指南）" }),
    el("p", { className: "muted", text: "模板：assistant corpus template。先预览导入报告，确认后导入并发布；有任何错误时不会改动语料。" }),
    file,
    el("button", { type: "button", text: "预览导入", "data-testid": "kb-upload-preview", onclick: () => upload(false) }),
    el("button", { type: "button", className: "primary", text: "导入并发布", "data-testid": "kb-upload-publish", onclick: () => upload(true) }),
    out,
    el("h2", { text: "导出" }),
    el("a", { href: API + "/kb/curated/export", text: "人工审核答案（Excel）" }), " ",
    el("a", { href: API + "/kb/curated/export?format=csv", text: "（CSV）" }), " ",
    el("a", { href: API + "/kb/export/conversations.xlsx", text: "近30天会话、评价和工单（Excel）" })
  ]);
}

/* #kb: draw the editor and the upload card into view; toast(message, bad) says what happened. */
export function kbView(view, toast) {
  clear(view);
  view.appendChild(editSection(toast));
  view.appendChild(uploadSection(toast));
}
