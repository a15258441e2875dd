// The console's only script: refreshes the [data-live] parts of a page every two seconds, and sends
// every action to the REST API with the session's CSRF token (the API checks roles and input).
(function () {
  'use strict';
  var meta = function (name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute('content') : null;
  };
  var csrfHeader = meta('csrf-header');
  var csrfToken = meta('csrf-token');
  var busy = false;

  function flash(text, bad) {
    var f = document.getElementById('flash');
    if (f) {
      f.textContent = text;
      f.className = bad ? 'bad' : 'good';
    }
  }

  function refresh() {
    if (busy) {
      return Promise.resolve();
    }
    busy = true;
    var parts = Array.prototype.slice.call(document.querySelectorAll('[data-live]'));
    return Promise.all(parts.map(function (el) {
      return fetch(el.getAttribute('data-live'), {credentials: 'same-origin', headers: {'Accept': 'text/html'}})
        .then(function (r) {
          if (r.redirected && r.url.indexOf('/login') >= 0) {
            location.href = '/login';
            return null;
          }
          return r.ok ? r.text() : null;
        })
        .then(function (html) {
          if (html !== null) {
            el.innerHTML = html;
          }
        });
    })).catch(function () { /* the next round tries again */ }).then(function () { busy = false; });
  }

  function post(path, body) {
    var headers = {'Accept': 'application/json'};
    if (csrfHeader && csrfToken) {
      headers[csrfHeader] = csrfToken;
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    return fetch(path, {method: 'POST', credentials: 'same-origin', headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (r) {
        return r.text().then(function (t) {
          var json = null;
          try { json = t ? JSON.parse(t) : null; } catch (e) { json = null; }
          return {status: r.status, json: json};
        });
      });
  }

  function message(res) {
    if (res.json && res.json.error) {
      return res.json.error;
    }
    if (res.json && res.json.message) {
      return res.json.message;
    }
    return 'HTTP ' + res.status;
  }

  document.addEventListener('click', function (ev) {
    var b = ev.target.closest('button[data-post]');
    if (!b) {
      return;
    }
    var question = b.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      return;
    }
    b.disabled = true;
    post(b.getAttribute('data-post')).then(function (res) {
      if (res.status >= 200 && res.status < 300) {
        flash((b.getAttribute('data-action') || b.textContent.trim()) + ': ' + (res.json && res.json.message
          ? res.json.message : 'accepted'), false);
        if (res.json && res.json.executionId && b.id === 'restart') {
          location.href = '/executions/' + res.json.executionId;
          return;
        }
      } else {
        flash(message(res), true);
      }
      refresh();
    }).catch(function (e) { flash(String(e), true); }).then(function () { b.disabled = false; });
  });

  document.addEventListener('submit', function (ev) {
    var form = ev.target.closest('form[data-launch]');
    if (!form) {
      return;
    }
    ev.preventDefault();
    var mode = ev.submitter ? ev.submitter.getAttribute('data-mode') : 'launch';
    var params = {};
    var errors = form.querySelectorAll('[data-error-for]');
    Array.prototype.forEach.call(errors, function (e) { e.textContent = ''; });
    Array.prototype.forEach.call(form.querySelectorAll('input[name]'), function (input) {
      if (input.value.trim() !== '') {
        params[input.name] = input.value.trim();
      }
    });
    var extra = form.querySelector('textarea[name="_extra"]');
    var lines = extra ? extra.value.split('\n') : [];
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].trim();
      if (line === '') {
        continue;
      }
      var eq = line.indexOf('=');
      if (eq <= 0) {
        form.querySelector('[data-error-for="_extra"]').textContent = 'line ' + (i + 1) + ': write name=value';
        return;
      }
      params[line.substring(0, eq).trim()] = line.substring(eq + 1).trim();
    }
    if (mode === 'dry-run') {
      params['dry-run'] = 'true';
    }
    var job = form.getAttribute('data-launch');
    post('/api/jobs/' + encodeURIComponent(job) + '/executions', params).then(function (res) {
      if (res.status === 202 && res.json) {
        location.href = '/executions/' + res.json.executionId;
        return;
      }
      var field = res.json && res.json.field;
      var target = (field && form.querySelector('[data-error-for="' + CSS.escape(field) + '"]'))
        || (field && form.querySelector('[data-error-for="_extra"]'))
        || form.querySelector('[data-error-for="_form"]');
      target.textContent = message(res);
    });
  });

  if (document.querySelector('[data-live]')) {
    setInterval(refresh, 2000);
  }
}());
