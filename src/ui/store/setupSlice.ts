/**
 * What the next episode will be: who drives it (you, or a replay) and which question. Question lists
 * arrive from the engine per dataset (the offline pool's bank, the seven QA sets) and are kept here.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { QuestionRecord } from '../../core';
import type { AppState } from './appStore';

/** 'train': the Train view (RL fine-tuning) instead of an episode setup. */
export type PolicyMode = 'human' | 'replay' | 'model' | 'train';

/** 'offline': the offline pool's NQ/TriviaQA questions; 'free': typed by the user; else a QA set id. */
export type DatasetChoice = 'offline' | 'free' | string;

export type QuestionList =
  | { status: 'loading' }
  | { status: 'ready'; items: QuestionRecord[] }
  | { status: 'failed'; error: string };

export interface SetupSlice {
  mode: PolicyMode;
  dataset: DatasetChoice;
  questionLists: Record<string, QuestionList>;
  search: string;
  /** The picked question (free text included). */
  question: QuestionRecord | null;
  setMode(mode: PolicyMode): void;
  setDataset(dataset: DatasetChoice): void;
  setQuestionList(dataset: string, list: QuestionList): void;
  setSearch(search: string): void;
  pickQuestion(question: QuestionRecord | null): void;
}

export const createSetupSlice: StateCreator<AppState, [], [], SetupSlice> = (set, get) => ({
  mode: 'human',
  dataset: 'offline',
  questionLists: {},
  search: '',
  question: null,
  setMode: (mode) => set({ mode }),
  setDataset: (dataset) => set({ dataset, search: '' }),
  setQuestionList: (dataset, list) => {
    set({ questionLists: { ...get().questionLists, [dataset]: list } });
    // The first question of the default list is picked, so "Start" works at once.
    if (get().question === null && get().dataset === dataset && list.status === 'ready' && list.items[0] !== undefined) set({ question: list.items[0] });
  },
  setSearch: (search) => set({ search }),
  pickQuestion: (question) => set({ question }),
});
