// Sorting and filtering for the entries table. The table is complete without this script.
(function () {
  "use strict";
  var table = document.getElementById("entries");
  var box = document.getElementById("filter-box");
  var input = document.getElementById("filter");
  var shown = document.getElementById("shown");
  if (!table || !box || !input || !shown) {
    return;
  }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var texts = rows.map(function (row) {
    return row.textContent.toLowerCase();
  });
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function value(row, column, type) {
    var cell = row.cells[column];
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    if (type === "number") {
      return raw === "" ? null : Number(raw);
    }
    return raw.toLowerCase();
  }

  function sortBy(column, button) {
    var header = headers[column];
    var type = header.getAttribute("data-type");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var order = rows.map(function (row, index) {
      return { row: row, key: value(row, column, type), index: index };
    });
    order.sort(function (a, b) {
      // Empty cells go last whichever way the column is sorted.
      if (a.key === null || a.key === "") {
        return b.key === null || b.key === "" ? a.index - b.index : 1;
      }
      if (b.key === null || b.key === "") {
        return -1;
      }
      var result = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      return (ascending ? result : -result) || a.index - b.index;
    });
    headers.forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var fragment = document.createDocumentFragment();
    order.forEach(function (item) {
      fragment.appendChild(item.row);
    });
    body.appendChild(fragment);
    button.focus();
  }

  headers.forEach(function (header, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = header.textContent;
    button.addEventListener("click", function () {
      sortBy(column, button);
    });
    header.textContent = "";
    header.appendChild(button);
  });

  function filter() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    rows.forEach(function (row, index) {
      var match = words.every(function (word) {
        return texts[index].indexOf(word) !== -1;
      });
      row.hidden = !match;
      if (match) {
        count += 1;
      }
    });
    shown.textContent = count + " of " + rows.length + " shown";
  }

  input.addEventListener("input", filter);
  box.hidden = false;
  filter();
})();
