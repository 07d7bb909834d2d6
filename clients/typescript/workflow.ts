// One workflow against a live server with demo data, through the client generated from its
// OpenAPI document: `node build/workflow.js http://127.0.0.1:8000`. Prints each step; exits 1
// with the failing step's name and the server's answer when any step fails.
import { createHash } from "node:crypto";
import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema.js";

const PASSWORD = process.env.DEMO_PASSWORD ?? "demo-pass-2026";
const ENTERPRISE = "ent02"; // 威海卫港智能装备有限公司
const COLLEGE = "college01"; // 威海职业学院: graduates of 460103 (数控技术)

type Client = ReturnType<typeof createClient<paths>>;

class StepFailed extends Error {}

/** The answer's data, or a StepFailed naming the step, the status and the problem. */
function expect<T>(step: string, answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data === undefined || !answer.response.ok) {
    const problem = JSON.stringify(answer.error ?? null);
    throw new StepFailed(`${step}: HTTP ${answer.response.status} ${problem}`);
  }
  return answer.data;
}

function check(step: string, condition: boolean, message: string): void {
  if (!condition) throw new StepFailed(`${step}: ${message}`);
}

function done(step: string, what: string): void {
  console.log(`ok  ${step}: ${what}`);
}

async function signIn(base: string, anonymous: Client, username: string): Promise<Client> {
  const step = `sign in as ${username}`;
  const token = expect(
    step,
    await anonymous.POST("/api/v1/auth/token", {
      body: { username, password: PASSWORD },
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    }),
  );
  check(step, token.access_token.length > 0, "empty access_token");
  const bearer: Middleware = {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token.access_token}`);
      return request;
    },
  };
  const client = createClient<paths>({ baseUrl: base });
  client.use(bearer);
  done(step, `a ${token.token_type} token for ${token.expires_in} s`);
  return client;
}

async function organizationId(client: Client, username: string): Promise<number> {
  const step = `who is ${username}`;
  const me = expect(step, await client.GET("/api/v1/auth/me"));
  check(step, me.organization !== null, "no organisation");
  done(step, `${me.organization?.name} (${me.organization?.org_type} ${me.organization?.id})`);
  return me.organization?.id ?? 0;
}

async function anonymousReads(anonymous: Client): Promise<void> {
  let step = "anonymous: list tech projects";
  const feed = expect(step, await anonymous.GET("/api/v1/tech-projects", {
    params: { query: { limit: 5 } },
  }));
  check(step, feed.total > 0 && feed.items.length > 0, "no published tech project");
  done(step, `${feed.total} published, first 「${feed.items[0]?.title}」`);

  step = "anonymous: major catalogue";
  const majors = expect(step, await anonymous.GET("/api/v1/taxonomies/majors", {
    params: { query: { prefix: "4601", level: "higher", limit: 10 } },
  }));
  check(step, majors.items.some((m) => m.code === "460103"), "460103 is not listed");
  done(step, `${majors.total} higher-level majors under 4601`);
}

async function enterpriseDemand(enterprise: Client): Promise<number> {
  let step = "enterprise: create a demand";
  const validUntil = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  const demand = expect(step, await enterprise.POST("/api/v1/demands", {
    body: {
      kind: "employment",
      title: "数控机床装调维修工（客户端工作流）",
      major_codes: ["4601"],
      headcount: 5,
      valid_until: validUntil,
      external_id: `TS-WORKFLOW-${Date.now()}`,
    },
  }));
  check(step, demand.status === "draft", `status ${demand.status}, not draft`);
  done(step, `demand ${demand.id} 「${demand.title}」 (draft)`);

  step = "enterprise: open the demand";
  const opened = expect(step, await enterprise.POST("/api/v1/demands/{demand_id}/open", {
    params: { path: { demand_id: demand.id } },
  }));
  check(step, opened.status === "open", `status ${opened.status}, not open`);
  done(step, `demand ${opened.id} is open`);

  step = "enterprise: read the matches";
  const matches = expect(step, await enterprise.GET("/api/v1/demands/{demand_id}/matches", {
    params: { path: { demand_id: demand.id } },
  }));
  const best = matches.items[0];
  check(step, best !== undefined, "no match");
  if (best === undefined) throw new StepFailed(step);
  check(step, best.reasons.length === 5, `${best.reasons.length} reasons, not 5`);
  const reasons = best.reasons.map((r) => `${r.factor} ${r.value}`).join(", ");
  done(step, `${matches.total} cohorts, best ${best.college.name} ${best.major_code} ` +
    `score ${best.score} (${reasons})`);
  return demand.id;
}

async function collegeOffer(college: Client, collegeId: number, demandId: number): Promise<void> {
  let step = "college: read its matches";
  const matches = expect(step, await college.GET("/api/v1/colleges/{college_id}/matches", {
    params: { path: { college_id: collegeId }, query: { limit: 200 } },
  }));
  const ours = matches.items.find((m) => m.demand.id === demandId);
  check(step, ours !== undefined, `demand ${demandId} is not among ${matches.total} matches`);
  if (ours === undefined) throw new StepFailed(step);
  check(step, ours.reasons.length === 5, `${ours.reasons.length} reasons, not 5`);
  done(step, `${matches.total} open demands, ours for cohort ${ours.cohort.major_code} ` +
    `score ${ours.score}: ${ours.reasons[0]?.text}`);

  step = "college: offer students";
  const offer = expect(step, await college.POST("/api/v1/demands/{demand_id}/responses", {
    params: { path: { demand_id: demandId } },
    body: { major_code: ours.cohort.major_code, headcount: 3, note: "可安排面试" },
  }));
  check(step, offer.status === "pending", `status ${offer.status}, not pending`);
  done(step, `response ${offer.id}: ${offer.headcount} students of ${offer.major_code}`);
}

async function collegeImport(college: Client, collegeId: number, period: string): Promise<void> {
  const step = `college: import a file for ${period} (dry run)`;
  const graduation = Number(period.slice(0, 4)) + (period.endsWith("H2") ? 1 : 0);
  const csv = "major_code,level,enrollment_year,graduation_year,headcount,graduating_headcount\n" +
    `460103,higher,${graduation - 3},${graduation},120,108\n`;
  const report = expect(step, await college.POST(
    "/api/v1/colleges/{college_id}/student-distributions/{period}/import",
    {
      params: { path: { college_id: collegeId, period }, query: { dry_run: true } },
      body: { file: csv },
      bodySerializer(body) {
        const form = new FormData();
        form.append("file", new Blob([body.file], { type: "text/csv" }), "distribution.csv");
        return form;
      },
    },
  ));
  check(step, report.dry_run && report.valid, `not a valid dry run: ${JSON.stringify(report)}`);
  done(step, `${report.row_count} row read as ${report.source}, ${report.error_count} errors`);
}

type Publication = components["schemas"]["PublicationRead"];

async function latestPublication(anonymous: Client): Promise<Publication> {
  const step = "anonymous: list publications";
  const list = expect(step, await anonymous.GET("/api/v1/publications", {
    params: { query: { dataset: "student_distribution" } },
  }));
  const publication = list.items[0];
  check(step, publication !== undefined, "no published student distribution");
  if (publication === undefined) throw new StepFailed(step);
  done(step, `${publication.dataset} ${publication.period} v${publication.version}`);
  return publication;
}

async function exportCsv(anonymous: Client, publication: Publication): Promise<void> {
  const step = `anonymous: download publication ${publication.id} as CSV`;
  const answer = await anonymous.GET("/api/v1/publications/{publication_id}/export", {
    params: { path: { publication_id: publication.id }, query: { format: "csv" } },
    parseAs: "arrayBuffer",
  });
  const bytes = Buffer.from(expect(step, answer));
  const type = answer.response.headers.get("content-type") ?? "";
  check(step, type.startsWith("text/csv"), `content-type ${type}`);
  const digest = createHash("sha256").update(bytes).digest("hex");
  check(step, digest === publication.sha256, `sha256 ${digest}, published ${publication.sha256}`);
  const lines = bytes.toString("utf8").trim().split(/\r?\n/).length;
  done(step, `${bytes.length} bytes, ${lines - 1} rows, sha256 as published`);
}

async function main(base: string): Promise<void> {
  const anonymous = createClient<paths>({ baseUrl: base });
  await anonymousReads(anonymous);
  const publication = await latestPublication(anonymous);

  const enterprise = await signIn(base, anonymous, ENTERPRISE);
  await organizationId(enterprise, ENTERPRISE);
  const demandId = await enterpriseDemand(enterprise);

  const college = await signIn(base, anonymous, COLLEGE);
  const collegeId = await organizationId(college, COLLEGE);
  await collegeOffer(college, collegeId, demandId);
  await collegeImport(college, collegeId, publication.period);
  await exportCsv(anonymous, publication);
  console.log("workflow passed: TypeScript client (openapi-typescript + openapi-fetch)");
}

const base = process.argv[2];
if (base === undefined) {
  console.error("usage: node build/workflow.js BASE_URL");
  process.exit(2);
}
main(base.replace(/\/$/, "")).catch((error: unknown) => {
  const cause = error instanceof Error && error.cause !== undefined ? ` (${String(error.cause)})` : "";
  const message = error instanceof StepFailed ? error.message : `${String(error)}${cause}`;
  console.error(`FAILED ${message}`);
  process.exit(1);
});
