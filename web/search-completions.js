// Progressive enhancement of a search box (issue #4): while a visitor types, offer completions of
// the last word in a native <datalist>, which browsers and assistive technology already know how
// to present. Without JavaScript, or when the request fails, the search box works as before.
(function () {
  var inputs = document.querySelectorAll('input[data-completions]');
  Array.prototype.forEach.call(inputs, function (input, n) {
    var list = document.createElement('datalist');
    list.id = 'eb-completions-' + n;
    input.parentNode.appendChild(list);
    input.setAttribute('list', list.id);
    var timer = null;
    var last = '';
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value;
        if (q === last || q.trim().length < 2) return;
        last = q;
        fetch(input.getAttribute('data-completions') + '?q=' + encodeURIComponent(q), { headers: { accept: 'application/json' } })
          .then(function (r) { return r.ok ? r.json() : { completions: [] }; })
          .then(function (body) {
            if (input.value !== q) return;
            list.textContent = '';
            body.completions.forEach(function (c) {
              var option = document.createElement('option');
              option.value = c;
              list.appendChild(option);
            });
          })
          .catch(function () { /* the plain search box still works */ });
      }, 150);
    });
  });
})();
