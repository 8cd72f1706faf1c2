// Adds the time the page was opened, to show the script ran.
document.body.insertAdjacentHTML('beforeend', `<p>Opened at ${new Date().toLocaleTimeString()}</p>`);
