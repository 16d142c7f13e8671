/* 便民方舟 导办助手 — staff console view "#kb" (知识库): edit a guide in a form (materials as rows),
 * preview answers, publish without a restart, versions with diff and one-click rollback, and upload of
 * an Excel template / Word 办事指南 with preview → publish.  staff.js routes "#kb" here through
 * window.Daoban.kbView(viewEl, toast).  Plain JS, no build step. */
(function () {
  "use strict";
  var el = window.Daoban.el;
  var API = "/staff/api";

  function call(path, opts) {
    opts = opts || {};
    var init = { method: opts.method || "GET", credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (opts.body !== undefined) {
      if (opts.body instanceof FormData) init.body = opts.body;
      else { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(opts.body); }
    }
    return fetch(API + path, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok) {
          var err = new Error((body && body.error && body.error.message) || ("请求失败（" + res.status + "）"));
          err.body = body;
          throw err;
        }
        return body;
      });
    });
  }

  var SIMPLE = [["事项名称", "text"], ["实施主体", "text"], ["办理时间", "text"], ["法定办结时限", "text"],
                ["承诺办结时限", "text"], ["到现场次数", "number"], ["咨询电话", "text"]];
  var LINES = ["受理条件", "办理流程"];
  var NECESSITY = ["必要", "非必要", "情形必要"];

  function field(label, input) { return el("label", { className: "kb-field" }, [el("span", { text: label }), input]); }

  function materialRow(m, tbody) {
    var tr = el("tr", { "data-testid": "kb-material-row" });
    var sel = el("select", { "data-k": "必要性" }, NECESSITY.map(function (n) {
      var o = el("option", { value: n, text: n }); if (n === m["必要性"]) o.selected = true; return o;
    }));
    [["名称", m["名称"]], null, ["份数", m["份数"]], ["形式", m["形式"]]].forEach(function (f) {
      tr.appendChild(el("td", null, [f ? el("input", { "data-k": f[0], value: f[1] || "" }) : sel]));
    });
    tr.appendChild(el("td", null, [el("input", { type: "checkbox", "data-k": "容缺", checked: !!m["容缺"] })]));
    tr.appendChild(el("td", null, [el("input", { "data-k": "情形", value: m["情形"] || "" })]));
    tr.appendChild(el("td", null, [el("button", { type: "button", text: "删除", onclick: function () { tbody.removeChild(tr); } })]));
    tr._extra = { "备注": m["备注"] || "" };
    return tr;
  }

  function readMaterials(tbody) {
    return Array.prototype.map.call(tbody.querySelectorAll("tr"), function (tr) {
      var m = {};
      Array.prototype.forEach.call(tr.querySelectorAll("[data-k]"), function (inp) {
        var k = inp.getAttribute("data-k");
        if (inp.type === "checkbox") { if (inp.checked) m[k] = true; }
        else if (inp.value.trim()) m[k] = inp.value.trim();
      });
      if (tr._extra["备注"]) m["备注"] = tr._extra["备注"];
      return m;
    });
  }

  function render(view, toast) {
    while (view.firstChild) view.removeChild(view.firstChild);
    var state = { id: null, data: null };
    var select = el("select", { "data-testid": "kb-guide-select" }, [el("option", { value: "", text: "选择办事指南…" })]);
    var form = el("div", { className: "kb-form" });
    var versions = el("div", { className: "kb-versions", "data-testid": "kb-versions" });
    var diffBox = el("pre", { className: "kb-diff", "data-testid": "kb-diff", hidden: true });
    var previewOut = el("div", { className: "kb-preview", "data-testid": "kb-preview-out" });
    var uploadOut = el("pre", { className: "kb-upload-out", "data-testid": "kb-upload-out" });

    function collect() {
      var d = JSON.parse(JSON.stringify(state.data));
      SIMPLE.forEach(function (f) {
        var v = form.querySelector("[data-f='" + f[0] + "']").value.trim();
        d[f[0]] = f[1] === "number" ? parseInt(v, 10) : v;
      });
      LINES.forEach(function (f) {
        d[f] = form.querySelector("[data-f='" + f + "']").value.split("\n").map(function (x) { return x.trim(); }).filter(Boolean);
      });
      var place = { "大厅": form.querySelector("[data-f='大厅']").value.trim(),
                    "窗口": form.querySelector("[data-f='窗口']").value.split(/[、,，\s]+/).filter(Boolean) };
      var zone = form.querySelector("[data-f='专区']").value.trim();
      if (zone) place["专区"] = zone;
      d["办理地点"] = place;
      d["收费"] = Object.assign({}, d["收费"], { "标准": form.querySelector("[data-f='收费标准']").value.trim() });
      d["申请材料"] = readMaterials(form.querySelector("tbody"));
      return d;
    }

    function showVersions(list) {
      while (versions.firstChild) versions.removeChild(versions.firstChild);
      versions.appendChild(el("h3", { text: "历史版本" }));
      if (!list.length) versions.appendChild(el("p", { className: "muted", text: "尚无发布记录。" }));
      list.forEach(function (v) {
        versions.appendChild(el("div", { className: "kb-version", "data-testid": "kb-version" }, [
          el("span", { text: v.at + " " + v.by + " " + ({ original: "原始版本", publish: "发布", rollback: "回滚", "import": "导入" }[v.action] || v.action) + (v.note ? "：" + v.note : "") }),
          el("button", { type: "button", text: "差异", onclick: function () {
            call("/kb/guides/" + state.id + "/diff?version=" + v.id).then(function (r) {
              diffBox.textContent = r.diff || "（与当前文件相同）"; diffBox.hidden = false;
            }).catch(function (e) { toast(e.message, true); });
          } }),
          el("button", { type: "button", text: "回滚到此版本", "data-testid": "kb-rollback", "data-version": v.id, onclick: function () {
            if (!window.confirm("回滚到这个版本并立即发布？")) return;
            call("/kb/guides/" + state.id + "/rollback", { method: "POST", body: { version_id: v.id } }).then(function (r) {
              toast("已回滚并发布（" + r.seconds.total + " 秒）"); load(state.id);
            }).catch(function (e) { toast(e.message, true); });
          } })
        ]));
      });
    }

    function load(id) {
      state.id = id;
      call("/kb/guides/" + encodeURIComponent(id)).then(function (r) {
        state.data = r.data;
        var d = r.data;
        while (form.firstChild) form.removeChild(form.firstChild);
        SIMPLE.forEach(function (f) {
          form.appendChild(field(f[0], el("input", { type: f[1], "data-f": f[0], "data-testid": "kb-field-" + f[0], value: d[f[0]] === undefined ? "" : String(d[f[0]]) })));
        });
        var p = d["办理地点"] || {};
        form.appendChild(field("大厅", el("input", { "data-f": "大厅", value: p["大厅"] || "" })));
        form.appendChild(field("专区", el("input", { "data-f": "专区", value: p["专区"] || "" })));
        form.appendChild(field("窗口", el("input", { "data-f": "窗口", "data-testid": "kb-field-windows", value: (p["窗口"] || []).join("、") })));
        form.appendChild(field("收费标准", el("input", { "data-f": "收费标准", value: (d["收费"] || {})["标准"] || "" })));
        LINES.forEach(function (f) {
          var ta = el("textarea", { "data-f": f, rows: 4 }); ta.value = (d[f] || []).join("\n");
          form.appendChild(field(f + "（每行一条）", ta));
        });
        var tbody = el("tbody");
        (d["申请材料"] || []).forEach(function (m) { tbody.appendChild(materialRow(m, tbody)); });
        form.appendChild(el("h3", { text: "申请材料" }));
        form.appendChild(el("table", { className: "kb-materials" }, [
          el("thead", null, [el("tr", null, ["名称", "必要性", "份数", "形式", "容缺", "情形", ""].map(function (h) { return el("th", { text: h }); }))]),
          tbody]));
        form.appendChild(el("button", { type: "button", text: "添加材料", onclick: function () {
          tbody.appendChild(materialRow({ "必要性": "必要", "份数": "1份", "形式": "原件" }, tbody));
        } }));
        showVersions(r.versions);
      }).catch(function (e) { toast(e.message, true); });
    }

    select.onchange = function () { if (select.value) load(select.value); };
    call("/items").then(function (r) {
      r.items.forEach(function (g) { select.appendChild(el("option", { value: g.id, text: g.name + "（" + g.id + "）" })); });
    });

    var questions = el("textarea", { rows: 3, "data-testid": "kb-preview-questions", placeholder: "每行一个问题，例如：在哪个窗口办" });
    var note = el("input", { "data-testid": "kb-note", placeholder: "修改说明（可空）" });
    var publishBtn = el("button", { type: "button", className: "primary", text: "发布", "data-testid": "kb-publish" });
    publishBtn.onclick = function () {
      if (!state.id) return;
      publishBtn.disabled = true;
      call("/kb/guides/" + state.id + "/publish", { method: "POST", body: { data: collect(), note: note.value } }).then(function (r) {
        toast("已发布（" + r.seconds.total + " 秒，无需重启）"); load(state.id);
      }).catch(function (e) { toast(e.message, true); }).then(function () { publishBtn.disabled = false; });
    };
    var previewBtn = el("button", { type: "button", text: "预览回答", "data-testid": "kb-preview", onclick: function () {
      if (!state.id) return;
      previewOut.textContent = "正在按修改后的指南生成预览……";
      var qs = questions.value.split("\n").map(function (x) { return x.trim(); }).filter(Boolean);
      call("/kb/guides/" + state.id + "/preview", { method: "POST", body: { data: collect(), questions: qs } }).then(function (r) {
        while (previewOut.firstChild) previewOut.removeChild(previewOut.firstChild);
        r.answers.forEach(function (a) {
          previewOut.appendChild(el("div", { className: "kb-answer" }, [el("strong", { text: a.question }), el("pre", { text: a.answer })]));
        });
      }).catch(function (e) { previewOut.textContent = e.message; });
    } });

    var file = el("input", { type: "file", accept: ".xlsx,.docx", "data-testid": "kb-upload-file" });
    function upload(publish) {
      if (!file.files.length) { toast("请先选择 .xlsx 或 .docx 文件", true); return; }
      var fd = new FormData(); fd.append("file", file.files[0]);
      call("/kb/upload?publish=" + (publish ? "true" : "false"), { method: "POST", body: fd }).then(function (r) {
        var rep = r.report;
        uploadOut.textContent = (publish ? "已导入并发布：" : "预览（未写入）：") + "新增 " + rep.imported.join("、") + "；更新 " + rep.updated.join("、") +
          "；跳过 " + rep.skipped.map(function (s) { return s.where + " " + s.why; }).join("；");
      }).catch(function (e) {
        var rep = e.body && e.body.report;
        uploadOut.textContent = e.message + (rep ? "\n" + rep.problems.map(function (p) { return p.file + " " + p.where + " " + (p.field || "") + "：" + p.message; }).join("\n") : "");
      });
    }

    view.appendChild(el("section", { className: "card" }, [
      el("h2", { text: "办事指南编辑与发布" }),
      el("p", { className: "muted", text: "修改后先预览回答，再发布：系统校验、写入语料、增量重建索引并立即生效（无需重启）。每次发布都保留版本，可查看差异、一键回滚。" }),
      select, form,
      el("div", { className: "kb-actions" }, [questions, previewBtn, note, publishBtn]),
      previewOut, versions, diffBox
    ]));
    view.appendChild(el("section", { className: "card" }, [
      el("h2", { text: "批量导入（Excel 模板 / Word 办事指南）" }),
      el("p", { className: "muted", text: "模板：assistant corpus template。先预览导入报告，确认后导入并发布；有任何错误时不会改动语料。" }),
      file,
      el("button", { type: "button", text: "预览导入", "data-testid": "kb-upload-preview", onclick: function () { upload(false); } }),
      el("button", { type: "button", className: "primary", text: "导入并发布", "data-testid": "kb-upload-publish", onclick: function () { upload(true); } }),
      uploadOut,
      el("h2", { text: "导出" }),
      el("a", { href: API + "/kb/curated/export", text: "人工审核答案（Excel）" }), " ",
      el("a", { href: API + "/kb/curated/export?format=csv", text: "（CSV）" }), " ",
      el("a", { href: API + "/kb/export/conversations.xlsx", text: "近30天会话、评价和工单（Excel）" })
    ]));
  }

  window.Daoban.kbView = render;
})();
