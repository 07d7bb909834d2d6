// A college: upload the half-year distribution, see fitting demands and offer students, trainings.
import { get, post, del, upload, url } from "../api.js";
import { actionButton, badge, date, empty, errorBox, field, h, label, mount, notice, num, openPeriods, periodName, section, showProblem, table, checkForm } from "../ui.js";

export async function render(el, me) {
  const college = me.organization;
  const uploadBox = h("section", { class: "panel", id: "upload" });
  const matches = h("section", { class: "panel", id: "matches" });
  const trainings = h("section", { class: "panel", id: "trainings" });
  el.append(uploadBox, matches, trainings);
  uploader(uploadBox, college);
  await Promise.all([section(matches, () => matchList(college)), section(trainings, () => trainingList(college))]);
}

function uploader(box, college) {
  const periods = openPeriods();
  const period = h("select", { name: "period" }, periods.map((p) => h("option", { value: p }, `${periodName(p)}（${p}）`)));
  const file = h("input", { type: "file", name: "file", class: "file-input", accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", required: true });
  // The browser's own file button speaks its own language: a Chinese one in front of it.
  const fileName = h("span", { class: "file-name", "aria-hidden": "true" }, "未选择文件");
  file.addEventListener("change", () => (fileName.textContent = file.files[0] ? `${file.files[0].name}（${Math.ceil(file.files[0].size / 1024)} KB）` : "未选择文件"));
  const fileField = field("数据文件（CSV 或 Excel）", file, { hint: "先检查，全部通过后再提交。提交将替换本期之前报送的数据。" });
  const filePick = h("span", { class: "file-pick" });
  file.replaceWith(filePick); // the input stays labelled, over the Chinese button
  filePick.append(file, h("span", { class: "btn", "aria-hidden": "true" }, "选择文件"), fileName);
  const progress = h("progress", { max: 1, value: 0, hidden: true, "aria-label": "上传进度" });
  const report = h("div", { class: "report", "aria-live": "polite" });
  const check = h("button", { type: "submit", class: "btn" }, "检查文件（不提交）");
  const submit = h("button", { type: "button", class: "btn btn-primary", disabled: true }, "提交本期数据");
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("div", { class: "form-grid" }, field("报送期次", period), fileField),
    h("div", { class: "actions" }, check, submit, progress),
  );
  let checked = null; // the file and period that passed the dry run
  const reset = () => {
    checked = null;
    submit.disabled = true;
  };
  file.addEventListener("change", () => (reset(), mount(report)));
  period.addEventListener("change", reset);

  async function send(dryRun) {
    const path = `/colleges/${college.id}/student-distributions/${period.value}/import`;
    progress.hidden = false;
    progress.value = 0;
    try {
      return await upload(path, file.files[0], { dry_run: dryRun }, (f) => (progress.value = f));
    } finally {
      progress.hidden = true;
    }
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    reset();
    if (!checkForm(form)) return;
    check.disabled = true;
    mount(report, h("p", { class: "state state-loading" }, "正在检查…"));
    try {
      const r = await send(true);
      if (r.valid) {
        checked = file.files[0];
        submit.disabled = false;
        mount(report, notice(`检查通过：共 ${num(r.row_count)} 行数据，没有错误。可以提交。`));
      } else {
        mount(report, rowErrors(r));
      }
    } catch (error) {
      mount(report, fileProblem(error));
    } finally {
      check.disabled = false;
    }
  });
  submit.addEventListener("click", async () => {
    if (!checked) return;
    submit.disabled = true;
    mount(report, h("p", { class: "state state-loading" }, "正在提交…"));
    try {
      const r = await send(false);
      const s = r.submission;
      mount(report, notice(`已提交 ${periodName(s.period)} 第 ${s.version} 版：${num(s.row_count)} 行，在校生 ${num(s.headcount)} 人，应届毕业生 ${num(s.graduating_headcount)} 人。`));
      reset();
    } catch (error) {
      mount(report, fileProblem(error));
    }
  });
  mount(
    box,
    h("h2", {}, "报送学生专业分布"),
    h("p", {}, "每半年报送一次。下载模板：", h("a", { href: url("/student-distributions/template", { format: "xlsx" }), download: "template.xlsx" }, "Excel 模板"), " · ", h("a", { href: url("/student-distributions/template", { format: "csv" }), download: "template.csv" }, "CSV 模板"), "。表头可用模板的中文列名，也可用字段名。"),
    form,
    report,
  );
}

const FIELD_NAMES = {
  major_code: "专业代码",
  level: "层次",
  enrollment_year: "入学年份",
  graduation_year: "毕业年份",
  headcount: "在校生人数",
  graduating_headcount: "应届毕业生人数",
  district_code: "所在区县代码",
  header: "表头",
};

function rowErrors(r) {
  const rows = r.errors.map((e) => ({ ...e, fieldName: FIELD_NAMES[e.loc[e.loc.length - 1]] || e.loc.slice(1).join(".") }));
  return h(
    "div",
    { class: "state-error-box", role: "alert" },
    h("p", {}, h("strong", {}, `共 ${num(r.row_count)} 行，发现 ${num(r.error_count)} 处错误，未提交任何数据。`), " 请修改文件后重新检查。行号从表头下第一行算起（即表格第 2 行为第 1 行）。"),
    table(
      [
        { title: "行号", num: true, cell: (e) => (e.row == null ? "—" : String(e.row)) },
        { title: "字段", cell: (e) => e.fieldName },
        { title: "原因", cell: (e) => e.msg },
      ],
      rows,
      { caption: "错误明细" },
    ),
  );
}

function fileProblem(error) {
  if (error.errors && error.errors.length && error.errors.some((e) => e.row != null)) {
    return rowErrors({ row_count: "?", error_count: error.errors.length, errors: error.errors });
  }
  return h("div", {}, errorBox(error), error.errors && error.errors.length ? h("ul", { class: "problem-list" }, error.errors.map((e) => h("li", {}, e.msg))) : null);
}

function reasons(list) {
  return h("ul", { class: "reasons" }, list.map((r) => h("li", {}, h("span", { class: "factor" }, label("factor", r.factor)), ` ${r.text}`)));
}

async function matchList(college) {
  const page = await get(`/colleges/${college.id}/matches`, { limit: 10 });
  const rows = page.items;
  const out = h("div", {});
  mount(
    out,
    h("h2", {}, "适合本校学生的用工需求", h("small", {}, ` 按 ${periodName(page.period)} 数据匹配，共 ${num(page.total)} 条`)),
    rows.length
      ? h(
          "ol",
          { class: "match-list" },
          rows.map((m) => {
            const result = h("div", { "aria-live": "polite" });
            const headcount = h("input", { type: "number", name: "headcount", min: 1, max: 100000, required: true, value: Math.min(m.cohort.available_headcount || 1, m.demand.headcount) || 1 });
            const note = h("input", { name: "note", maxlength: 500, placeholder: "如：2027届，可安排面试" });
            const form = h(
              "form",
              { class: "offer", novalidate: true },
              field("推荐人数", headcount),
              field("备注", note),
              h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "推荐学生")),
            );
            form.addEventListener("submit", async (event) => {
              event.preventDefault();
              if (!checkForm(form)) return;
              try {
                const r = await post(`/demands/${m.demand.id}/responses`, { major_code: m.cohort.major_code, headcount: Number(headcount.value), note: note.value || null });
                mount(result, notice(`已推荐 ${r.headcount} 人，等待企业答复（${label("status", r.status)}）。`));
              } catch (error) {
                showProblem(form, error);
              }
            });
            return h(
              "li",
              { class: "match" },
              h("div", { class: "match-head" }, h("h3", {}, m.demand.title), h("span", { class: "score", title: "匹配度" }, `${Math.round(m.score * 100)}%`)),
              h("p", { class: "meta" }, `${label("demandKind", m.demand.kind)} · 需求 ${num(m.demand.headcount)} 人 · 有效期至 ${m.demand.valid_until} · 本校 ${m.cohort.major_code} ${m.cohort.major_name}（${label("level", m.cohort.level)}，${m.cohort.graduation_year} 届，可供 ${num(m.cohort.available_headcount)} 人）`),
              reasons(m.reasons),
              form,
              result,
            );
          }),
        )
      : empty("暂无适合本校学生的征集中需求。请先报送本期学生分布。"),
  );
  return out;
}

async function trainingList(college) {
  const page = await get("/trainings", { status: "scheduled", limit: 20 });
  const enrolments = await Promise.all(page.items.map((t) => get(`/trainings/${t.id}/enrollments`).then((p) => p.items.find((e) => e.college_id === college.id) || null)));
  const out = h("div", {});
  const draw = () =>
    mount(
      out,
      h("h2", {}, "岗前培训"),
      table(
        [
          { title: "培训", cell: (t) => t.title },
          { title: "时间", cell: (t) => `${date(t.start_at)} 起` },
          { title: "余位 / 名额", num: true, cell: (t) => `${num(t.seats_available)} / ${num(t.capacity)}` },
          { title: "状态", cell: (t) => badge(t.status) },
          {
            title: "本校报名",
            cell: (t) => {
              const n = page.items.indexOf(t);
              const mine = enrolments[n];
              const target = h("div", {});
              if (mine) {
                return h("div", { class: "inline-form" }, `已报名 ${mine.seats} 个名额 `, actionButton("释放名额", async () => {
                  await del(`/trainings/${t.id}/enrollments/${mine.id}`);
                  enrolments[n] = null;
                  page.items[n] = await get(`/trainings/${t.id}`);
                  draw();
                }, { target }), target);
              }
              const seats = h("input", { type: "number", name: "seats", min: 1, max: 10000, value: 1, required: true, "aria-label": `${t.title} 报名名额`, class: "narrow" });
              const form = h("form", { class: "inline-form", novalidate: true }, seats, h("button", { type: "submit", class: "btn" }, "报名"), target);
              form.addEventListener("submit", async (event) => {
                event.preventDefault();
                if (!checkForm(form)) return;
                try {
                  enrolments[n] = await post(`/trainings/${t.id}/enrollments`, { college_id: college.id, seats: Number(seats.value) });
                  page.items[n] = await get(`/trainings/${t.id}`);
                  draw();
                } catch (error) {
                  showProblem(form, error);
                }
              });
              return form;
            },
          },
        ],
        page.items,
        { emptyText: "暂无可报名的岗前培训。" },
      ),
    );
  draw();
  return out;
}
