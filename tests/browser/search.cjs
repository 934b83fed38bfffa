// Browser test of search: opens a built site in Debian's chromium (driven by playwright-core),
// types each query into the header's search box, checks that the right object comes first in
// the suggestions, clicks it and checks the page that opens. Fails on any console error or
// failed request, and on serious or critical axe-core violations of the search page and of a
// page with suggestions open. Saves screenshots.
//
// usage: node search.cjs <site url> <cases.json> <screenshot dir>
// cases: [{"name": "…", "query": "…", "expect": "objects/<id>/"}]
// env: STIXPRESS_NODE_MODULES (where playwright-core and axe-core are), STIXPRESS_CHROMIUM.
"use strict";
const path = require("path");
const fs = require("fs");
const requireFrom = require("module").createRequire(path.join(process.env.STIXPRESS_NODE_MODULES, "noop.js"));
const { chromium } = requireFrom("playwright-core");
const axeSource = fs.readFileSync(requireFrom.resolve("axe-core/axe.min.js"), "utf8");

const [site, casesFile, shots] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(casesFile, "utf8"));
fs.mkdirSync(shots, { recursive: true });
const problems = [];
// The site's search box (named by aria-label, so found by its form and field name) and the
// suggestions it offers.
const SEARCH_BOX = "form.site-search input[name=q]";
const SUGGESTION = "#site-search-options [role=option]";

async function axe(page, what) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      problems.push(`${what}: axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`);
    }
  }
}

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.STIXPRESS_CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console error on ${page.url()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  // A load cut short by leaving the page (net::ERR_ABORTED) is not a failure.
  page.on("requestfailed", (r) => { if (!/ERR_ABORTED/.test(r.failure()?.errorText || "")) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`); });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  const results = [];
  for (const [i, c] of cases.entries()) {
    await page.goto(site, { waitUntil: "load" });
    const box = page.locator(SEARCH_BOX);
    await box.click();
    await box.pressSequentially(c.query, { delay: 15 });
    const first = page.locator(SUGGESTION).first();
    let href = null;
    try {
      await page.waitForFunction((expect) => {
        // Runs in the page, which does not see SUGGESTION.
        const option = document.querySelector("#site-search-options [role=option]");
        return option && option.getAttribute("data-href").endsWith(expect);
      }, c.expect, { timeout: 10000 });
      href = await first.getAttribute("data-href");
    } catch (e) {
      const shown = await page.locator(SUGGESTION).allInnerTexts();
      problems.push(`${c.name}: typing "${c.query}" did not show ${c.expect} first; shown: ${JSON.stringify(shown.slice(0, 5))}`);
    }
    await page.screenshot({ path: path.join(shots, `search-${i}-${c.name.replace(/[^a-z0-9]+/gi, "-")}.png`) });
    if (i === 0) await axe(page, "suggestions open");
    if (href) {
      await first.click();
      await page.waitForURL((url) => url.pathname.endsWith(c.expect), { timeout: 10000 }).catch(() => problems.push(`${c.name}: clicking did not open ${c.expect} (at ${page.url()})`));
      results.push({ name: c.name, opened: page.url() });
    }
  }
  // The results page, with its filters; and keyboard use of the suggestions.
  const query = cases[0].query;
  await page.goto(new URL("search/?q=" + encodeURIComponent(query), site).href, { waitUntil: "load" });
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length > 0, null, { timeout: 10000 })
    .catch(() => problems.push(`results page for "${query}" shows nothing`));
  await page.screenshot({ path: path.join(shots, "search-results-page.png"), fullPage: false });
  await axe(page, "results page");
  await page.goto(site, { waitUntil: "load" });
  await page.locator(SEARCH_BOX).click();
  await page.keyboard.type(cases[0].query, { delay: 15 });
  await page.waitForSelector(SUGGESTION);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname.endsWith(cases[0].expect), { timeout: 10000 })
    .catch(() => problems.push(`keyboard: ArrowDown + Enter did not open ${cases[0].expect} (at ${page.url()})`));
  // A phone.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const small = await phone.newPage();
  await small.goto(site, { waitUntil: "load" });
  await small.locator(SEARCH_BOX).fill(cases[0].query);
  await small.waitForSelector(SUGGESTION).catch(() => problems.push("phone: no suggestions"));
  await small.screenshot({ path: path.join(shots, "search-phone.png") });
  await browser.close();
  console.log(JSON.stringify({ problems, results }, null, 1));
  process.exit(problems.length ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
