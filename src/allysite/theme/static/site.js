/* allysite: enhancements only. Every page reads and navigates without this script; with it,
   the directory's filters work in place and the search box appears once its index loads. */
(function () {
  "use strict";
  var doc = document;
  var lang = doc.documentElement.lang || "en";

  /* A number as the page's language writes it ("12.345" in Spanish, "1234" too), in Latin
     digits as the page's own counts and dates (views.format_count: ICU, as Intl). */
  function number(count) {
    try {
      return new Intl.NumberFormat(lang, { numberingSystem: "latn" }).format(count);
    } catch (e) {
      return String(count); /* old browser */
    }
  }

  /* A translated count: the template wrote one attribute per CLDR plural category. */
  function counted(element, prefix, count) {
    var category = "other";
    try {
      category = new Intl.PluralRules(lang).select(count);
    } catch (e) { /* old browser: "other" */ }
    var text = element.getAttribute("data-" + prefix + "-" + category) ||
      element.getAttribute("data-" + prefix + "-other") || "{n}";
    return text.replace("{n}", number(count));
  }

  /* A search result's excerpt is plain text from the index, without the isolation its page
     gives names and addresses: each run of the other direction's letters (a Latin name or
     address in Arabic results, an Arabic name in Spanish ones) goes in a <bdi> of its own,
     marks and all. Read in the page's direction, "https://www.rfp.org/" showed its final
     slash first, and a Spanish name's words in reverse order. */
  var RTL = "\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF";
  var LTR = "A-Za-z0-9\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF";
  var OTHER_RUN = doc.documentElement.dir === "rtl"
    ? new RegExp("[" + LTR + "](?:[^" + RTL + "]*[" + LTR + "/)\\]])?", "g")
    : new RegExp("[" + RTL + "](?:[^" + LTR + "]*[" + RTL + ")\\]])?", "g");

  /* A run's brackets in pairs: "(SFCG)" whole, not "SFCG)" with its "(" outside. */
  function paired(flat, start, end) {
    var text = flat.slice(start, end);
    var unmatched = (text.match(/[)\]]/g) || []).length - (text.match(/[(\[]/g) || []).length;
    if (unmatched > 0 && "([".indexOf(flat.charAt(start - 1)) >= 0) return [start - 1, end];
    return unmatched > 0 && ")]".indexOf(text.charAt(text.length - 1)) >= 0
      ? [start, end - 1] : [start, end];
  }

  function appendExcerpt(excerpt, segments) {
    var flat = segments.map(function (segment) { return segment.text; }).join("");
    var runs = [];
    var found;
    OTHER_RUN.lastIndex = 0;
    while ((found = OTHER_RUN.exec(flat))) {
      runs.push(paired(flat, found.index, found.index + found[0].length));
    }
    var position = 0;
    var run = 0;
    var isolate = null;
    segments.forEach(function (segment) {
      var end = position + segment.text.length;
      while (position < end) {
        while (run < runs.length && runs[run][1] <= position) {
          run++;
          isolate = null;
        }
        var inside = run < runs.length && runs[run][0] <= position;
        var stop = Math.min(end, run < runs.length ? runs[run][inside ? 1 : 0] : end);
        var target = excerpt;
        if (inside) {
          if (!isolate) isolate = excerpt.appendChild(doc.createElement("bdi"));
          target = isolate;
        }
        var piece = flat.slice(position, stop);
        if (segment.mark) {
          target.appendChild(doc.createElement("mark")).textContent = piece;
        } else {
          target.appendChild(doc.createTextNode(piece));
        }
        position = stop;
      }
    });
  }

  /* Text with a value isolated in <bdi>, so a Latin name reads right in Arabic text. */
  function withValue(template, value) {
    var parts = template.split("{query}");
    var fragment = doc.createDocumentFragment();
    fragment.appendChild(doc.createTextNode(parts[0]));
    if (parts.length > 1) {
      var isolate = doc.createElement("bdi");
      isolate.textContent = value;
      fragment.appendChild(isolate);
      fragment.appendChild(doc.createTextNode(parts.slice(1).join(value)));
    }
    return fragment;
  }

  function setupFilters() {
    var directory = doc.querySelector("[data-directory]");
    if (!directory) return;
    var links = directory.querySelectorAll("[data-facet]");
    var items = directory.querySelectorAll("[data-terms]");
    var groups = directory.querySelectorAll("[data-letter]");
    var status = directory.querySelector("[data-facet-status]");
    var count = directory.querySelector("[data-facet-count]");
    var reset = directory.querySelector("[data-facet-reset]");
    var active = null;

    function apply(key) {
      active = key;
      var shown = 0;
      items.forEach(function (item) {
        var match = !key || (" " + item.getAttribute("data-terms") + " ").indexOf(" " + key + " ") >= 0;
        item.hidden = !match;
        if (match) shown += 1;
      });
      groups.forEach(function (group) {
        var empty = !group.querySelector("[data-terms]:not([hidden])");
        group.hidden = empty;
        var link = directory.querySelector('[data-letter-link="' + group.getAttribute("data-letter") + '"]');
        if (link) link.hidden = empty;
      });
      links.forEach(function (link) {
        link.setAttribute("aria-pressed", link.getAttribute("data-facet") === key ? "true" : "false");
      });
      count.textContent = key ? counted(status, "count", shown) : "";
      reset.hidden = !key;
    }

    links.forEach(function (link) {
      link.setAttribute("role", "button");
      link.setAttribute("aria-pressed", "false");
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var key = link.getAttribute("data-facet");
        apply(active === key ? null : key);
      });
      link.addEventListener("keydown", function (event) {
        if (event.key === " ") {
          event.preventDefault();
          link.click();
        }
      });
    });
    /* The button hides itself: focus goes back to the filter it cleared, or to its group's
       summary when that group was closed meanwhile (a link in a closed <details> takes no
       focus, and focus fell to the page's start). */
    reset.addEventListener("click", function () {
      var pressed = null;
      links.forEach(function (link) {
        if (link.getAttribute("data-facet") === active) pressed = link;
      });
      apply(null);
      var group = pressed && pressed.closest("details");
      var target = group && !group.open ? group.querySelector("summary") : pressed;
      if (target) target.focus();
    });
  }

  function setupSearch() {
    var box = doc.querySelector("[data-search]");
    if (!box || !window.Promise) return;
    var input = box.querySelector("input");
    var status = box.querySelector("[data-search-status]");
    var list = box.querySelector("[data-search-results]");
    var pagefind = null;
    var latest = 0;

    function show(results, total, query) {
      list.replaceChildren();
      status.replaceChildren();
      if (!total) {
        status.appendChild(withValue(box.getAttribute("data-none"), query));
        list.hidden = true;
        return;
      }
      status.textContent = counted(box, "count", total);
      results.forEach(function (result) {
        var item = doc.createElement("li");
        var link = doc.createElement("a");
        link.href = result.url;
        link.textContent = (result.meta && result.meta.title) || result.url;
        /* A stand-in's name is in its original's language: say so, as its page does. */
        if (result.meta && result.meta.title_lang) {
          link.lang = result.meta.title_lang;
          link.dir = result.meta.title_dir || "auto";
        }
        item.appendChild(link);
        var excerpt = doc.createElement("p");
        /* Keep only text and <mark> from the excerpt: nothing else can reach the page. */
        var parsed = new DOMParser().parseFromString(result.excerpt || "", "text/html");
        appendExcerpt(excerpt, Array.prototype.map.call(parsed.body.childNodes, function (node) {
          return { text: node.textContent, mark: node.nodeName === "MARK" };
        }));
        item.appendChild(excerpt);
        list.appendChild(item);
      });
      list.hidden = false;
    }

    function run() {
      var query = input.value.trim();
      var mine = ++latest;
      if (!query) {
        list.replaceChildren();
        list.hidden = true;
        status.textContent = "";
        return;
      }
      pagefind.debouncedSearch(query, {}, 200).then(function (search) {
        if (!search || mine !== latest) return null;
        return Promise.all(search.results.slice(0, 8).map(function (r) { return r.data(); }))
          .then(function (results) {
            if (mine === latest) show(results, search.results.length, query);
          });
      });
    }

    import(box.getAttribute("data-bundle") + "pagefind.js")
      .then(function (module) {
        pagefind = module;
        return pagefind.options({ baseUrl: box.getAttribute("data-base") });
      })
      .then(function () {
        box.hidden = false;
        /* The index (some 80 kB) loads when a visitor comes to the box, not with every page. */
        input.addEventListener("focus", function () { pagefind.init(); }, { once: true });
        input.addEventListener("input", run);
        box.querySelector("form").addEventListener("submit", function (event) {
          event.preventDefault();
          run();
        });
        input.addEventListener("keydown", function (event) {
          if (event.key === "Escape") {
            input.value = "";
            run();
          }
        });
      })
      .catch(function () { /* no index here: the box stays hidden */ });
  }

  /* A profile's table wider than the page scrolls in its own box (style.css): while it does,
     it takes the keyboard's focus, so that arrow keys can scroll it (WCAG 2.1.1; Safari
     gives a scrolling box no focus of its own). */
  function setupTables() {
    var tables = doc.querySelectorAll(".prose table");
    if (!tables.length) return;
    function mark() {
      tables.forEach(function (table) {
        if (table.scrollWidth > table.clientWidth) table.setAttribute("tabindex", "0");
        else table.removeAttribute("tabindex");
      });
    }
    mark();
    window.addEventListener("resize", mark);
  }

  setupFilters();
  setupSearch();
  setupTables();
})();
