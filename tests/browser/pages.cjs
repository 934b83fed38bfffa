// Browser test of pages: opens each page of a built site in Debian's chromium (driven by
// playwright-core), on a desktop and on a phone, saves a screenshot, fails on any console error
// or failed request, and runs axe-core: no serious or critical violation is allowed. It also
// checks that the page can be used by keyboard: Tab reaches a link and focus is visible.
//
// usage: node pages.cjs <site url> <pages.json> <screenshot dir>
// pages: [{"name": "dashboard", "path": "", "expect": "css selector that must be there"}]
// env: STIXPRESS_NODE_MODULES (where playwright-core and axe-core are), STIXPRESS_CHROMIUM.
"use strict";
const path = require("path");
const fs = require("fs");
const requireFrom = require("module").createRequire(path.join(process.env.STIXPRESS_NODE_MODULES, "noop.js"));
const { chromium } = requireFrom("playwright-core");
const axeSource = fs.readFileSync(requireFrom.resolve("axe-core/axe.min.js"), "utf8");

const [site, pagesFile, shots] = process.argv.slice(2);
const pages = JSON.parse(fs.readFileSync(pagesFile, "utf8"));
fs.mkdirSync(shots, { recursive: true });
const problems = [];

async function check(context, device) {
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") problems.push(`${device}: console error on ${page.url()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`${device}: page error on ${page.url()}: ${e.message}`));
  page.on("requestfailed", (r) => { if (!/ERR_ABORTED/.test(r.failure()?.errorText || "")) problems.push(`${device}: request failed: ${r.url()}`); });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`${device}: HTTP ${r.status()}: ${r.url()}`); });
  for (const p of pages) {
    await page.goto(new URL(p.path, site).href, { waitUntil: "load" });
    if (p.expect && !(await page.locator(p.expect).count())) problems.push(`${device} ${p.name}: no ${p.expect}`);
    await page.screenshot({ path: path.join(shots, `${p.name}-${device}.png`), fullPage: false });
    if (device === "desktop") {
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      for (const v of result.violations) {
        if (v.impact === "serious" || v.impact === "critical") {
          problems.push(`${p.name}: axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`);
        }
      }
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return { tag: el.tagName, outline: style.outlineStyle !== "none" || style.boxShadow !== "none" || el.matches(":focus-visible") };
      });
      if (!focused) problems.push(`${p.name}: Tab does not move focus into the page`);
    }
  }
  await page.close();
}

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.STIXPRESS_CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
  await check(await browser.newContext({ viewport: { width: 1280, height: 900 } }), "desktop");
  await check(await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }), "phone");
  await check(await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "dark" }), "dark");
  await browser.close();
  console.log(JSON.stringify({ problems }, null, 1));
  process.exit(problems.length ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
