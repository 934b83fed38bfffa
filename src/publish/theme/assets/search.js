// The site's one script. First, the STIX JSON of an object page: the page links the object's
// TAXII file (which holds the same JSON) instead of repeating it, and shows it here when the
// reader opens "STIX JSON". From disk a page may not read other files: the link stays.
(function () {
  "use strict";
  if (window.location.protocol === "file:" || !window.fetch) return;
  document.querySelectorAll("details.raw").forEach(function (details) {
    var file = details.querySelector("a.json-file");
    if (!file) return;
    details.addEventListener("toggle", function () {
      if (!details.open || details.getAttribute("data-state")) return;
      details.setAttribute("data-state", "loading");
      fetch(file.href)
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (envelope) {
          var object = envelope && Array.isArray(envelope.objects) ? envelope.objects[0] : null;
          if (!object) throw new Error("no object");
          var pre = document.createElement("pre");
          pre.className = "json";
          pre.tabIndex = 0;  // it scrolls: keyboard users must be able to reach it
          pre.textContent = JSON.stringify(object, null, 2);
          details.appendChild(pre);
          details.setAttribute("data-state", "shown");
        })
        .catch(function () { details.setAttribute("data-state", "linked"); });
    });
  });
})();

// The types an object page lists beside it: the page holds only a link to types/, and the list
// every other page carries is made here from types/nav.json (one file the browser keeps for
// every object page), with text nodes only.
(function () {
  "use strict";
  var nav = document.querySelector("nav.types-nav[data-type]");
  var form = document.querySelector("form.site-search[data-root]");
  if (!nav || !form || window.location.protocol === "file:" || !window.fetch) return;
  var root = form.getAttribute("data-root");
  var current = nav.getAttribute("data-type");
  fetch(root + "types/nav.json")
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data || !Array.isArray(data.groups)) return;
      var list = document.createDocumentFragment();
      data.groups.forEach(function (group) {
        var heading = document.createElement("h2");
        heading.textContent = group.label;
        var ul = document.createElement("ul");
        (group.types || []).forEach(function (type) {
          var a = document.createElement("a");
          a.href = root + "types/" + encodeURIComponent(type.name) + "/index.html";
          if (type.name === current) a.setAttribute("aria-current", "page");
          a.appendChild(document.createTextNode(type.plural + " "));
          var count = document.createElement("span");
          count.className = "count";
          count.textContent = String(type.count);
          a.appendChild(count);
          var li = document.createElement("li");
          li.appendChild(a);
          ul.appendChild(li);
        });
        if (typeof group.more === "number" && group.more > 0) {
          var more = document.createElement("a");
          more.href = root + "types/index.html";
          more.textContent = group.more + " more types";
          var item = document.createElement("li");
          item.appendChild(more);
          ul.appendChild(item);
        }
        list.appendChild(heading);
        list.appendChild(ul);
      });
      nav.replaceChildren(list);
    })
    .catch(function () {});
})();

// Search: reads the static index under search/ (see src/search/mod.rs for its
// layout) a few small files per query. Normalisation here must match src/search/terms.rs.
(function () {
  "use strict";
  var DOCS_PER_SHARD = 16;   // src/search/mod.rs DOCS_PER_SHARD
  var PREFIX_MIN = 2, PREFIX_MAX = 24, PREFIX_SHARDS = 4;
  // Opened from disk, a page may not read other files: say so instead of "0 results".
  if (window.location.protocol === "file:") {
    var fromDisk = document.getElementById("search-from-disk");
    if (fromDisk) fromDisk.hidden = false;
    return;
  }
  var form = document.querySelector("form.site-search");
  if (!form || !window.fetch) return;
  var root = form.getAttribute("data-root") || "./";
  var cache = new Map();

  function fetchJson(path) {
    if (!cache.has(path)) {
      cache.set(path, fetch(root + path).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; }));
    }
    return cache.get(path);
  }
  function hex(text) {
    return Array.from(new TextEncoder().encode(text), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  function whole(text) {
    return text.trim().split(/\s+/).join(" ").toLowerCase().replace(/\.+$/, "");
  }
  function words(text) {
    return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []);
  }

  // The shard prefixes to read for a term: the longest listed prefix of it ("own"), and when
  // asked for a prefix search, the listed prefixes that extend it. A manifest entry {"m": p}
  // stands for the prefixes starting with p, listed in a manifest of their own.
  function shardsFor(term, prefix) {
    var own = null;
    function walk(manifest) {
      return fetchJson("search/m/" + hex(manifest) + ".json").then(function (entries) {
        entries = entries || [];
        var sub = null, deeper = [], tooMany = false;
        entries.forEach(function (e) {
          if (typeof e === "string") {
            if (term.startsWith(e) && (!own || e.length > own.length)) own = e;
            else if (e.startsWith(term)) deeper.push(e);
          } else if (e && typeof e.m === "string") {
            if (term.startsWith(e.m)) sub = e.m;
            else if (e.m.startsWith(term)) tooMany = true;
          }
        });
        if (sub) return walk(sub);
        var wanted = own ? [own] : [];
        // Longer terms may sit in deeper shards; past a few, only those in this term's own
        // shard are matched (typing on narrows it).
        if (prefix && !tooMany && deeper.length + wanted.length <= PREFIX_SHARDS) wanted = wanted.concat(deeper);
        return wanted;
      });
    }
    var first = Array.from(term)[0];
    return first ? walk(first) : Promise.resolve([]);
  }

  // Documents scoring for one term: exact match, and (when asked) terms it begins.
  function lookup(term, prefix) {
    return shardsFor(term, prefix).then(function (wanted) {
      return Promise.all(wanted.map(function (p) { return fetchJson("search/t/" + hex(p) + ".json"); })).then(function (shards) {
        var found = new Map();
        shards.forEach(function (shard) {
          (shard || []).forEach(function (row) {
            var exact = row[0] === term;
            if (!exact && !(prefix && row[0].startsWith(term))) return;
            var postings = row[1];
            for (var i = 0; i < postings.length; i += 2) {
              var score = exact ? postings[i + 1] : postings[i + 1] * 0.6;
              if (!(found.get(postings[i]) >= score)) found.set(postings[i], score);
            }
          });
        });
        return found;
      });
    });
  }

  // Ranked document numbers for a query: the whole query as one term (an id, a hash, a
  // name), and its words, which must all match.
  function search(query) {
    var q = whole(query);
    var tokens = words(query);
    var typing = !/\s$/.test(query);
    if (!q) return Promise.resolve([]);
    // The whole query matches as a prefix while a name is typed (one short word, or words);
    // never for an identifier (`type--uuid`), whose shard alone answers it.
    var wholePrefix = typing && q.length >= PREFIX_MIN && q.indexOf("--") < 0 &&
      (tokens.length === 1 ? q.length <= PREFIX_MAX : /\s/.test(q) && q.length <= 2 * PREFIX_MAX);
    return lookup(q, wholePrefix).then(function (found) {
      // An id, a hash, an address found as such (no space, an exact match): its words would
      // only cost fetches.
      var exact = false;
      found.forEach(function (s) { if (s >= 90) exact = true; });
      var asks = [Promise.resolve(found)];
      if ((tokens.length > 1 || (tokens.length === 1 && tokens[0] !== q)) && !(exact && !/\s/.test(q))) {
        tokens.forEach(function (t, i) {
          var last = i === tokens.length - 1;
          asks.push(lookup(t, last && typing && t.length >= PREFIX_MIN && t.length <= PREFIX_MAX));
        });
      }
      return Promise.all(asks);
    }).then(function (maps) {
      var scores = new Map();
      maps[0].forEach(function (s, d) { scores.set(d, 1000 + s); });
      var parts = maps.slice(1);
      // A last word that matches nothing yet is still being typed.
      if (parts.length > 1 && typing && parts[parts.length - 1].size === 0) parts.pop();
      if (parts.length) {
        parts[0].forEach(function (s, d) {
          var total = s;
          for (var i = 1; i < parts.length; i++) {
            if (!parts[i].has(d)) return;
            total += parts[i].get(d);
          }
          scores.set(d, Math.max(scores.get(d) || 0, total));
        });
      }
      return Array.from(scores.entries()).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; }).map(function (e) { return e[0]; });
    });
  }

  function documents(numbers) {
    return Promise.all(numbers.map(function (n) {
      return fetchJson("search/d/" + Math.floor(n / DOCS_PER_SHARD) + ".json").then(function (shard) {
        var d = shard && shard[n % DOCS_PER_SHARD];
        return d && { name: d[0], type: d[1], typeLabel: d[2], tlp: d[3], path: d[4], snippet: d[5], retired: d[6] || "" };
      });
    })).then(function (docs) {
      // Revoked and deprecated objects after the current ones, each in rank order.
      docs = docs.filter(Boolean);
      return docs.filter(function (d) { return !d.retired; }).concat(docs.filter(function (d) { return d.retired; }));
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }
  function resultBody(doc, withSnippet) {
    var frag = document.createDocumentFragment();
    frag.appendChild(el("span", "type-tag", doc.typeLabel));
    frag.appendChild(document.createTextNode(" "));
    frag.appendChild(el("span", "result-name", doc.name));
    if (doc.retired) { frag.appendChild(document.createTextNode(" ")); frag.appendChild(el("span", "chip retired", doc.retired)); }
    if (doc.tlp) frag.appendChild(el("span", "result-tlp", doc.tlp));
    if (withSnippet && doc.snippet) frag.appendChild(el("span", "result-snippet", doc.snippet));
    return frag;
  }

  // The header box: suggestions as you type, a listbox driven by the keyboard.
  // The box is a combobox only where this script runs (without it, a plain search field), so
  // the script makes it one: pages do not carry the markup for it.
  var input = form.querySelector("input[name=q]");
  var list = document.createElement("ul");
  list.id = "site-search-options";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  input.insertAdjacentElement("afterend", list);
  [["role", "combobox"], ["aria-autocomplete", "list"], ["aria-expanded", "false"], ["aria-controls", list.id]]
    .forEach(function (a) { input.setAttribute(a[0], a[1]); });
  var active = -1, generation = 0, timer = null;
  function options() { return list.querySelectorAll("[role=option]"); }
  function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; }
  function highlight(i) {
    var all = options();
    if (!all.length) return;
    active = (i + all.length) % all.length;
    all.forEach(function (o, j) { o.setAttribute("aria-selected", j === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }
  function suggest() {
    var mine = ++generation;
    var query = input.value;
    if (!whole(query)) { close(); return; }
    search(query).then(function (ranked) { return documents(ranked.slice(0, 12)); }).then(function (docs) {
      if (mine !== generation) return;
      docs = docs.slice(0, 8);
      list.textContent = "";
      docs.forEach(function (doc, i) {
        // An option is not a link (a listbox's options hold no controls): choosing it opens it.
        var item = el("li");
        item.id = "search-option-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-href", root + doc.path);
        item.appendChild(resultBody(doc, false));
        list.appendChild(item);
      });
      var all = el("li", "search-all", docs.length ? "All results for “" + query.trim() + "”" : "No match yet: search all for “" + query.trim() + "”");
      all.id = "search-option-" + docs.length;
      all.setAttribute("role", "option");
      all.setAttribute("aria-selected", "false");
      all.setAttribute("data-href", root + "search/?q=" + encodeURIComponent(query.trim()));
      list.appendChild(all);
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    });
  }
  if (input && list) {
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(suggest, 80); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); if (list.hidden) suggest(); else highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = options()[active].getAttribute("data-href");
      }
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) window.location.href = option.getAttribute("data-href");
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  // The results page: every match (up to 100), filtered by type and TLP.
  var page = document.getElementById("search-results");
  if (page) {
    var params = new URLSearchParams(window.location.search);
    var query = params.get("q") || "";
    var typeFilter = document.getElementById("search-type");
    var tlpFilter = document.getElementById("search-tlp");
    var status = document.getElementById("search-status");
    var pageInput = document.getElementById("search-page-q");
    if (pageInput) pageInput.value = query;
    if (input) input.value = query;
    var found = [];
    var render = function () {
      var type = typeFilter.value, tlp = tlpFilter.value;
      var shown = found.filter(function (d) { return (!type || d.type === type) && (!tlp || (d.tlp || "none") === tlp); });
      page.textContent = "";
      shown.forEach(function (doc) {
        var item = el("li");
        var link = el("a");
        link.href = root + doc.path;
        link.appendChild(resultBody(doc, true));
        item.appendChild(link);
        page.appendChild(item);
      });
      status.textContent = shown.length + " result" + (shown.length === 1 ? "" : "s") + " for “" + query + "”" + (shown.length < found.length ? " (" + found.length + " before filtering)" : "");
    };
    var fill = function (select, values) {
      values.forEach(function (v) { var o = el("option", null, v[1]); o.value = v[0]; select.appendChild(o); });
    };
    if (query.trim()) {
      status.textContent = "Searching…";
      search(query).then(function (ranked) { return documents(ranked.slice(0, 100)); }).then(function (docs) {
        found = docs;
        var types = new Map(), tlps = new Map();
        docs.forEach(function (d) { types.set(d.type, d.typeLabel); tlps.set(d.tlp || "none", d.tlp || "no TLP marking"); });
        fill(typeFilter, Array.from(types.entries()).sort());
        fill(tlpFilter, Array.from(tlps.entries()).sort());
        typeFilter.addEventListener("change", render);
        tlpFilter.addEventListener("change", render);
        render();
      });
    } else {
      status.textContent = "Type a name, an alias, an ATT&CK or CVE id, or an indicator value.";
    }
  }
})();
