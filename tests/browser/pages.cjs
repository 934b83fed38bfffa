// Browser test of pages: opens each page of a built site in Debian's chromium (driven by
// playwright-core) at 390 px (a phone), 768 px (a tablet) and 1400 px (a laptop), each in light
// and dark mode, and saves a screenshot of each. It fails on any console error or failed
// request, on a page that scrolls sideways (wider than the window), and on any serious or
// critical axe-core violation (colour contrast included: axe reads the colours of the scheme
// the page is shown in; at every width). At 1400 px in light mode it also checks that the page can be used by
// keyboard: Tab reaches a link and focus is visible.
//
// usage: node pages.cjs <site url> <pages.json> <screenshot dir>
// pages: [{"name": "dashboard", "path": "", "expect": "css selector that must be there"}]; with
// "open": "css selector of a <details>", its summary is clicked first; `expect` is waited for
// (up to 5 s).
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
const seconds = {};

const WIDTHS = [390, 768, 1400];
const SCHEMES = ["light", "dark"];
// axe runs at every width, in both schemes: a tablet's layout is its own (the sidebar below the
// content, the header wrapped) and can hide its own contrast or nesting problem.
const AXE_WIDTHS = WIDTHS;

// The elements that stick out of the window on the right, for the failure message.
function overflowing() {
  const limit = window.innerWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 1 && box.width > 0) {
      // Only the outermost: an element whose parent already sticks out says nothing new.
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (parent && parent.right > limit + 1) continue;
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
      out.push(`${name} (right edge ${Math.round(box.right)})`);
      if (out.length >= 5) break;
    }
  }
  return out;
}

async function check(browser, width, scheme) {
  const device = `${width}-${scheme}`;
  const phone = width < 500;
  const context = await browser.newContext({
    viewport: { width, height: phone ? 844 : 900 },
    isMobile: phone,
    hasTouch: phone,
    colorScheme: scheme,
  });
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") problems.push(`${device}: console error on ${page.url()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`${device}: page error on ${page.url()}: ${e.message}`));
  page.on("requestfailed", (r) => { if (!/ERR_ABORTED/.test(r.failure()?.errorText || "")) problems.push(`${device}: request failed: ${r.url()}`); });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`${device}: HTTP ${r.status()}: ${r.url()}`); });
  for (const p of pages) {
    const started = Date.now();
    await page.goto(new URL(p.path, site).href, { waitUntil: "load" });
    if (p.open) await page.locator(`${p.open} > summary`).first().click();
    // What a script fills in (an object page's types, search results) comes after "load".
    if (p.expect) await page.locator(p.expect).first().waitFor({ timeout: 5000 }).catch(() => {});
    if (p.expect && !(await page.locator(p.expect).count())) problems.push(`${device} ${p.name}: no ${p.expect}`);
    const sideways = await page.evaluate(() => ({
      scroll: document.scrollingElement.scrollWidth,
      window: window.innerWidth,
    }));
    if (sideways.scroll > sideways.window) {
      const culprits = await page.evaluate(overflowing);
      problems.push(`${device} ${p.name}: the page scrolls sideways (${sideways.scroll} px wide in ${sideways.window} px): ${culprits.join("; ")}`);
    }
    await page.screenshot({ path: path.join(shots, `${p.name}-${device}.png`), fullPage: false });
    if (AXE_WIDTHS.includes(width)) {
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      for (const v of result.violations) {
        if (v.impact === "serious" || v.impact === "critical") {
          problems.push(`${device} ${p.name}: axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`);
        }
      }
    }
    if (width === 1400 && scheme === "light") {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return { tag: el.tagName, outline: style.outlineStyle !== "none" || style.boxShadow !== "none" || el.matches(":focus-visible") };
      });
      if (!focused) problems.push(`${p.name}: Tab does not move focus into the page`);
      else if (!focused.outline) problems.push(`${p.name}: the focused ${focused.tag} shows no focus outline`);
    }
    seconds[p.name] = Math.round(((seconds[p.name] || 0) + (Date.now() - started) / 1000) * 10) / 10;
  }
  await context.close();
}

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.STIXPRESS_CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
  for (const width of WIDTHS) {
    for (const scheme of SCHEMES) await check(browser, width, scheme);
  }
  await browser.close();
  console.log(JSON.stringify({ problems, seconds }, null, 1));
  process.exit(problems.length ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
