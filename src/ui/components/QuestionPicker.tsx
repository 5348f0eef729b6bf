/**
 * The question picker: the offline pool's NQ/TriviaQA questions, the seven QA sets, or free text with
 * optional gold answers. Search filters the list; Random picks one. Lists come from the engine.
 */
import { useMemo, useState } from 'react';
import { QA_DATASETS, type QuestionRecord } from '../../core';
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';

const SHOWN = 60;

function matches(q: QuestionRecord, search: string): boolean {
  const s = search.trim().toLowerCase();
  return s === '' || q.text.toLowerCase().includes(s) || q.goldAnswers.some((a) => a.toLowerCase().includes(s));
}

export function QuestionPicker() {
  const controller = useController();
  const dataset = useApp((s) => s.dataset);
  const list = useApp((s) => s.questionLists[s.dataset]);
  const search = useApp((s) => s.search);
  const setSearch = useApp((s) => s.setSearch);
  const picked = useApp((s) => s.question);
  const pick = useApp((s) => s.pickQuestion);
  const [freeText, setFreeText] = useState('');
  const [freeGold, setFreeGold] = useState('');
  // Gold answers are spoilers when you play the router yourself: hidden until asked for.
  const [showGold, setShowGold] = useState(false);
  const items = useMemo(() => (list?.status === 'ready' ? list.items.filter((q) => matches(q, search)) : []), [list, search]);

  const random = () => {
    // UI-only randomness (not an experiment): any question is fine.
    const q = items[Math.floor(Math.random() * items.length)];
    if (q !== undefined) pick(q);
  };
  const useFree = () => {
    const gold = freeGold.split('|').map((g) => g.trim()).filter((g) => g !== '');
    if (freeText.trim() !== '') pick({ dataset: 'free', text: freeText.trim(), goldAnswers: gold });
  };

  return (
    <div className="picker" data-testid="picker">
      <div className="picker-bar">
        <label>
          <span className="label">Questions</span>{' '}
          <select value={dataset} onChange={(e) => void controller?.selectDataset(e.target.value)} data-testid="picker.dataset">
            <option value="offline">Offline pool (NQ + TriviaQA, recorded scores)</option>
            {QA_DATASETS.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label} ({d.split})
              </option>
            ))}
            <option value="free">Free text</option>
          </select>
        </label>
        {dataset !== 'free' && (
          <>
            <input type="search" placeholder="Search questions or answers" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="picker.search" aria-label="Search questions" />
            <button type="button" onClick={random} disabled={items.length === 0} data-testid="picker.random">
              Random
            </button>
            <label className="check small">
              <input type="checkbox" checked={showGold} onChange={(e) => setShowGold(e.target.checked)} data-testid="picker.showGold" />
              Show gold answers
            </label>
          </>
        )}
      </div>
      {dataset === 'free' ? (
        <div className="picker-free">
          <input type="text" placeholder="Your question" value={freeText} onChange={(e) => setFreeText(e.target.value)} data-testid="picker.free.text" aria-label="Your question" />
          <input type="text" placeholder="Gold answers, separated by | (optional)" value={freeGold} onChange={(e) => setFreeGold(e.target.value)} data-testid="picker.free.gold" aria-label="Gold answers" />
          <button type="button" onClick={useFree} disabled={freeText.trim() === ''} data-testid="picker.free.use">
            Use this question
          </button>
        </div>
      ) : list === undefined || list.status === 'loading' ? (
        <p className="muted" data-testid="picker.loading">Loading questions…</p>
      ) : list.status === 'failed' ? (
        <p className="error-box" role="alert" data-testid="picker.error">{list.error}</p>
      ) : (
        <ul className="picker-list" data-testid="picker.list" aria-label="Questions">
          {items.slice(0, SHOWN).map((q, i) => (
            <li key={q.id ?? i}>
              <button type="button" className={picked === q ? 'picker-item picked' : 'picker-item'} aria-pressed={picked === q} onClick={() => pick(q)} data-testid={`picker.item.${i}`}>
                {q.text}
                {showGold && <span className="muted small"> · {q.goldAnswers.slice(0, 2).join(' | ')}</span>}
              </button>
            </li>
          ))}
          {items.length > SHOWN && <li className="muted small">{items.length - SHOWN} more; search to narrow down.</li>}
          {items.length === 0 && <li className="muted small">No question matches.</li>}
        </ul>
      )}
    </div>
  );
}
