// Packing list: turns each <li> into a checkbox and says whether the selection would make a lean image.
function render(list, verdict) {
  const items = [...list.querySelectorAll('li')];
  const wrong = items.filter((li) => li.querySelector('input').checked !== (li.dataset.runtime === 'true'));
  verdict.textContent = wrong.length === 0
    ? 'Lean image: only what runs, nothing that builds.'
    : `${wrong.length} item(s) to rethink.`;
}

document.addEventListener('DOMContentLoaded', () => {
  const list = document.getElementById('items');
  const verdict = document.getElementById('verdict');
  for (const li of list.querySelectorAll('li')) {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.addEventListener('change', () => render(list, verdict));
    li.prepend(box);
  }
  render(list, verdict);
});
