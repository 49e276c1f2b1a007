// Questions that apply only under a condition (data-relevant, forms/conditions.py) are hidden
// while the condition does not hold, and their inputs disabled so the browser neither checks nor
// posts them.  The server decides the same from what is posted; this only keeps the page short.
// The grammar is the server's: ${key} = 'v', !=, < <= > >= (numbers), selected(${key}, 'v'),
// joined by and / or (and binds tighter).
(function () {
  "use strict";
  var CLAUSE = /^\s*(?:\$\{([A-Za-z_]\w*)\}\s*(!=|<=|>=|=|<|>)\s*('[^']*'|"[^"]*"|-?\d+(?:\.\d+)?)|selected\(\s*\$\{([A-Za-z_]\w*)\}\s*,\s*('[^']*'|"[^"]*")\s*\))\s*/;
  var JOIN = /^(and|or)\b\s*/i;

  function parse(text) {
    var rest = text, groups = [], group = [];
    for (;;) {
      var m = CLAUSE.exec(rest);
      if (!m) return null;  // the server refuses such an instrument; never hide on a guess
      if (m[4]) group.push({ key: m[4], op: "selected", value: m[5].slice(1, -1) });
      else group.push({ key: m[1], op: m[2], value: /^['"]/.test(m[3]) ? m[3].slice(1, -1) : m[3] });
      rest = rest.slice(m[0].length);
      if (!rest) { groups.push(group); return groups; }
      var j = JOIN.exec(rest);
      if (!j) return null;
      if (j[1].toLowerCase() === "or") { groups.push(group); group = []; }
      rest = rest.slice(j[0].length);
    }
  }

  function holds(clause, answer) {
    if (clause.op === "selected") return answer.split(" ").indexOf(clause.value) >= 0;
    if (clause.op === "=") return answer === clause.value;
    if (clause.op === "!=") return answer !== clause.value;
    if (answer === "" || isNaN(Number(answer))) return false;
    var a = Number(answer), b = Number(clause.value);
    return { "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b }[clause.op];
  }

  function answerOf(form, key, skipped) {
    if (skipped[key]) return "";
    var inputs = form.querySelectorAll('[name="' + key + '"]'), chosen = [];
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) chosen.push(input.value);  // several for a multiple choice
      } else if (input.inputMode === "decimal" && input.value.trim() !== "" && isFinite(input.value)) {
        return String(Number(input.value));  // 2.50 as the server keeps it: 2.5
      } else {
        return input.value.trim();
      }
    }
    return chosen.join(" ");
  }

  function setUp(form) {
    var blocks = Array.prototype.slice.call(form.querySelectorAll("[data-relevant]"))
      .map(function (el) { return { el: el, condition: parse(el.getAttribute("data-relevant")) }; })
      .filter(function (b) { return b.condition; });
    if (!blocks.length) return;

    function update() {
      var skipped = {};
      blocks.forEach(function (block) {
        var applies = block.condition.some(function (group) {
          return group.every(function (c) { return holds(c, answerOf(form, c.key, skipped)); });
        });
        // a block inside a skipped section is skipped too (document order = instrument order)
        var section = block.el.parentElement && block.el.parentElement.closest("[data-relevant]");
        if (section && section.hidden) applies = false;
        block.el.hidden = !applies;
        block.el.querySelectorAll("input, select, textarea").forEach(function (input) {
          input.disabled = !applies;
          if (!applies && input.name) skipped[input.name] = true;
        });
      });
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("form").forEach(setUp);
})();
