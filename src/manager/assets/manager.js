// Live pages: every element marked data-live is fetched again every two seconds and replaced, so
// the page follows the catalog without a reload. Pages work without this script too.
for (const el of document.querySelectorAll('[data-live]')) {
  const url = el.getAttribute('data-live');
  setInterval(async () => {
    try {
      const r = await fetch(url, { headers: { accept: 'text/html' } });
      if (r.ok) el.innerHTML = await r.text();
    } catch {
      // The next tick tries again.
    }
  }, 2000);
}

// A file input marked data-fills="<id>" reads the chosen file into that text area (a certificate).
for (const input of document.querySelectorAll('input[type=file][data-fills]')) {
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    const target = document.getElementById(input.getAttribute('data-fills'));
    if (file && target) target.value = await file.text();
  });
}
