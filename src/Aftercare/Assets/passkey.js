// The person's passkey (WebAuthn), set up from their private link and used at /my/signin.
// Hand-written, no build step: the server (Fido2) makes and checks the challenges; this only
// turns its JSON into what navigator.credentials takes, and the phone's answer back into JSON.
(function () {
  'use strict';
  function decode(text) {
    var base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    var binary = atob(base64 + '==='.slice((base64.length + 3) % 4));
    return Uint8Array.from(binary, function (c) { return c.charCodeAt(0); }).buffer;
  }
  function encode(buffer) {
    var bytes = new Uint8Array(buffer), binary = '';
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function descriptors(list) {
    return (list || []).map(function (c) { return { type: c.type, id: decode(c.id) }; });
  }
  async function post(url, body) {
    var response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    var answer = await response.json().catch(function () { return {}; });
    if (!response.ok) { throw new Error(answer.title || 'Something went wrong. Try again.'); }
    return answer;
  }
  async function setUp(button) {
    var name = document.getElementById('device-name');
    var ceremony = await post('/my/passkey/setup-options', { token: button.dataset.token, deviceName: name ? name.value : '' });
    var o = ceremony.options;
    o.challenge = decode(o.challenge);
    o.user.id = decode(o.user.id);
    o.excludeCredentials = descriptors(o.excludeCredentials);
    var made = await navigator.credentials.create({ publicKey: o });
    return post('/my/passkey/setup', {
      state: ceremony.state,
      response: {
        id: made.id, rawId: encode(made.rawId), type: made.type, clientExtensionResults: made.getClientExtensionResults(),
        response: { attestationObject: encode(made.response.attestationObject), clientDataJSON: encode(made.response.clientDataJSON) }
      }
    });
  }
  async function signIn() {
    var ceremony = await post('/my/passkey/signin-options', {});
    var o = ceremony.options;
    o.challenge = decode(o.challenge);
    o.allowCredentials = descriptors(o.allowCredentials);
    var got = await navigator.credentials.get({ publicKey: o });
    return post('/my/passkey/signin', {
      state: ceremony.state,
      response: {
        id: got.id, rawId: encode(got.rawId), type: got.type, clientExtensionResults: got.getClientExtensionResults(),
        response: {
          authenticatorData: encode(got.response.authenticatorData), clientDataJSON: encode(got.response.clientDataJSON),
          signature: encode(got.response.signature), userHandle: got.response.userHandle ? encode(got.response.userHandle) : null
        }
      }
    });
  }
  document.querySelectorAll('[data-passkey]').forEach(function (button) {
    var section = button.closest('section');
    var message = section.querySelector('[data-passkey-message]');
    var unsupported = section.querySelector('[data-passkey-unsupported]');
    if (!window.PublicKeyCredential || !navigator.credentials) { return; }
    button.hidden = false;
    if (unsupported) { unsupported.hidden = true; }
    button.addEventListener('click', async function () {
      button.disabled = true;
      message.textContent = '';
      try {
        var done = await (button.dataset.passkey === 'setup' ? setUp(button) : signIn());
        window.location.assign(done.next);
      } catch (e) {
        message.textContent = e && e.name === 'NotAllowedError'
          ? 'The passkey was not used. You can try again, or get a code instead.'
          : (e && e.message) || 'Something went wrong. Try again.';
        button.disabled = false;
      }
    });
  });
})();
