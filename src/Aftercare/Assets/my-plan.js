// The person's plan page (issue 14.2, 14.3), by hand and without a build step, like my-plan-sw.js.
// 1. Keeps this page on the phone for when there is no signal (the service worker does the rest).
// 2. A change saved with no signal is kept in this page's storage with the version it was based
//    on, and sent when the phone is back online (the "online" event, or the next time it opens).
(function () {
  'use strict';
  var CACHE = 'aftercare-my-plan-v1';
  var path = location.pathname;
  var key = 'aftercare-my-plan-change:' + path;
  var form = document.getElementById('change-my-plan');
  var status = document.getElementById('phone-status');

  function say(text) {
    if (status) {
      status.textContent = text;
      status.hidden = false;
    }
  }

  function queued() {
    try {
      return JSON.parse(localStorage.getItem(key) || 'null');
    } catch (e) {
      return null;
    }
  }

  function fill(change) {
    if (!form || !change) {
      return;
    }
    Object.keys(change.sections).forEach(function (name) {
      var field = form.elements[name];
      if (field) {
        field.value = change.sections[name];
      }
    });
  }

  function send() {
    var change = queued();
    if (!change || !navigator.onLine) {
      return;
    }
    say('Sending your change to your care team…');
    fetch(path + '/changes', { method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(change) })
      .then(function (response) {
        return response.json().then(function (answer) {
          localStorage.removeItem(key);
          if (response.ok) {
            location.replace(path + '?changed=' + answer.version + '#changed');
          } else {
            fill(change);
            say((answer.title || 'Your change could not be saved') + '. ' + (answer.detail || '') + ' Your words are still in the form below.');
          }
        });
      })
      .catch(function () {
        say('Your change is kept on this phone. It will be sent when you are back online.');
      });
  }

  if ('serviceWorker' in navigator && 'caches' in window) {
    navigator.serviceWorker.register('/my-plan/sw.js', { scope: '/my-plan/' }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // This page as it came from the server, with the time it was brought up to date.
      var page = '<!DOCTYPE html>\n' + document.documentElement.outerHTML;
      return caches.open(CACHE).then(function (cache) {
        return Promise.all([
          navigator.onLine ? cache.put(location.origin + path, new Response(page, { headers: { 'Content-Type': 'text/html; charset=utf-8' } })) : null,
          navigator.onLine ? cache.add('/assets/app.css') : null,
        ]);
      });
    }).then(function () {
      document.documentElement.setAttribute('data-kept-on-phone', 'yes');
    }).catch(function () { });
  }

  if (form) {
    form.addEventListener('submit', function (event) {
      if (navigator.onLine) {
        return; // the ordinary form post
      }
      event.preventDefault();
      var sections = {};
      Array.prototype.forEach.call(form.querySelectorAll('textarea'), function (field) {
        sections[field.name] = field.value;
      });
      localStorage.setItem(key, JSON.stringify({ version: parseInt(form.elements.version.value, 10), sections: sections }));
      say('Your change is kept on this phone. It will be sent to your care team when you are back online.');
    });
  }

  window.addEventListener('online', send);
  var waiting = queued();
  if (waiting) {
    fill(waiting);
    if (navigator.onLine) {
      send();
    } else {
      say('Your change is kept on this phone. It will be sent to your care team when you are back online.');
    }
  }
})();
