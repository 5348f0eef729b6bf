"""Generate golden conformance vectors with the Python oracle (our own code, see oracle.py).

    python3 src/cli/conformance/gen_vectors.py [--data-root ../shared/data] [--seed 7] [--n 4000]

Writes src/cli/conformance/vectors.jsonl: {"id", "fn", "args", "expected"} per line. For render_prompt
only a SHA-256 of the expected text is stored ("expected_sha256"), so no reference text is committed.
Regenerate only on purpose and review the diff.
"""
import argparse
import hashlib
import json
import os
import random

import oracle

WORDS = ["a", "an", "the", "A", "An", "THE", "The", "answer", "Paris", "philip", "k.", "dick", "yes", "no",
         "noanswer", "Yes!", "NO.", "the's", "théa", "a_b", "ça", "an1", "the²", "the\u0301", "\u2167the",
         "αthe", "日本the", "the日本", "İstanbul", "ΟΔΟΣ", "straße", "STRASSE", "ǅemal", "Ⅻ", "½", "x²",
         "co-op", "U.S.A.", "rock'n'roll", "«the»", "“a”", "the—an", "¿the?", "a…", "1,000", "3.14",
         "the_", "_the", "anthem", "theater", "a-the", "\u00a0the", "the\u200b", "\ufeffthe", "ᾼ", "ﬁ", "𝐀the",
         "the𝐀", "\U0001F600", "an\u0300", "ＴＨＥ", "ｔｈｅ", "Ⓐ", "the\u0903", "x\u0664", "٣the"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\x1c", "\x1f", "\x85", "\u2028",
          "\u202f", "\u205f", "\ufeff", "\u200b", "\u180e", "\x0b", "\x0c", ""]
NAMES = ["Qwen2.5-7B-Instruct", "LLaMA-3.1-8B-Instruct", "LLaMA-3.1-70B-Instruct", "Mistral-7B-Instruct",
         "Mixtral-8x22B-Instruct", "Gemma-2-27B-Instruct", "llama", "Llama3-ChatQA-1.5-8B", "llama 51b",
         "Llama-3.3-Nemotron-Super-49B", "Palmyra-Creative-122B", "creative writer", "granite-3.0-8b",
         "GPT-4o", "claude", "LLM-Name", "", " ", "qwen", "QWEN", "Llama-70B", "llama 8b chatqa", "mistral",
         "Mixtral", "gemma", "llama-3b", "İqwen", "q w e n", "qwen\u00a0", "\u3000gemma"]
QUERIES = ["What is the capital of France?", "who wrote Dune", "", " ", "Your-Query", "your-query here",
           "qwen facts", "llama", "When was the film released? In what year", "a:b", "the answer",
           "  padded  ", "日本の首都は?", "Ⅻ"]
REPLIES = ["Paris is the capital.", "I cannot help; consult other LLMs.", "<answer>x</answer>", "None",
           "The answer is <think>hmm</think>", "", "   ", "multi\nline\nreply", "</information>"]


def rnd_text(r, n_max=6):
    parts = []
    for _ in range(r.randint(0, n_max)):
        parts.append(r.choice(WORDS))
        parts.append(r.choice(SPACES) if r.random() < 0.5 else " ")
    s = "".join(parts)
    if r.random() < 0.3:
        s = r.choice(SPACES) + s + r.choice(SPACES)
    return s


def rnd_search(r):
    name = r.choice(NAMES)
    colons = r.choice([0, 1, 1, 1, 1, 2, 3])
    pieces = [name] + [r.choice(QUERIES) for _ in range(colons)]
    content = ":".join(pieces)
    return r.choice(SPACES) + content + r.choice(SPACES)


def rnd_block(r):
    kind = r.choice(["think", "think", "search", "search", "information", "answer", "junk"])
    if kind == "think":
        content = r.choice([rnd_text(r), "", "...", " ... ", "reason <search>x</search>", "plan"])
    elif kind == "search":
        content = rnd_search(r)
    elif kind == "information":
        content = r.choice(REPLIES)
    elif kind == "answer":
        content = rnd_text(r, 4)
    else:
        return r.choice(["<think>", "</think>", "<search>", "</answer>", "<information>", " text ", "\n", ":"])
    open_tag, close_tag = "<%s>" % kind, "</%s>" % kind
    if r.random() < 0.05:
        close_tag = ""
    if r.random() < 0.03:
        open_tag = ""
    return open_tag + content + close_tag


def well_formed(r):
    """A completion that follows the protocol, possibly with one mutation."""
    parts = []
    for _ in range(r.randint(0, 3)):
        parts.append("<think>%s</think>\n<search> %s: %s </search>" % (
            r.choice(["I need facts.", "Ask a bigger model.", rnd_text(r, 3) or "x"]),
            r.choice(NAMES[:14]), r.choice(QUERIES[:4] + QUERIES[6:])))
        parts.append("\n\n<information>%s</information>\n\n" % r.choice(REPLIES).strip())
    parts.append("<think>%s</think>\n<answer> %s </answer>" % (r.choice(["Done.", "..."]) if r.random() < 0.1 else "Done.",
                                                               rnd_text(r, 3)))
    s = "".join(parts)
    if r.random() < 0.2:
        s = r.choice(SPACES) + s + r.choice(SPACES + ["extra", "</answer>", "<answer>late</answer>"])
    if r.random() < 0.2 and len(s) > 5:
        i = r.randrange(len(s))
        s = s[:i] + s[i + r.randint(0, 8):]
    return s


def rnd_completion(r):
    if r.random() < 0.6:
        return well_formed(r)
    return "".join(rnd_block(r) + (r.choice(SPACES) if r.random() < 0.5 else "") for _ in range(r.randint(0, 8)))


def golds(r):
    return [rnd_text(r, 4) for _ in range(r.randint(0, 3))]


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--data-root", default=os.path.join(here, "../../../../shared/data"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--out", default=os.path.join(here, "vectors.jsonl"))
    a = ap.parse_args()
    r = random.Random(a.seed)
    templates = {t: open(os.path.join(a.data_root, "router-r1", "prompt_template_%s.rendered.txt" % t), encoding="utf-8").read()
                 for t in ("qwen", "llama")}
    rows = []

    def add(fn, args, expected=None, sha=None):
        row = {"id": "%s-%d" % (fn, len(rows)), "fn": fn, "args": args}
        if sha is not None:
            row["expected_sha256"] = sha
        else:
            row["expected"] = expected
        rows.append(row)

    for _ in range(a.n):
        fn = r.choice(["normalize_answer", "exact_match", "f1", "extract_answer", "format_reward", "format_reward",
                       "route_count", "resolve_model", "reward", "cost_reward_sequence", "render_prompt"])
        if fn == "normalize_answer":
            t = rnd_text(r, 10)
            add(fn, {"text": t}, oracle.normalize_answer(t))
        elif fn in ("exact_match", "f1"):
            g = golds(r)
            p = r.choice(g) if g and r.random() < 0.3 else rnd_text(r, 5)
            if g and r.random() < 0.3:
                p = r.choice(SPACES) + p.upper() + r.choice([".", "!", " the", ""])
            add(fn, {"prediction": p, "golden_answers": g}, getattr(oracle, fn)(p, g))
        elif fn == "extract_answer":
            c = rnd_completion(r)
            add(fn, {"completion": c}, oracle.extract_answer(c))
        elif fn == "format_reward":
            c = rnd_completion(r)
            add(fn, {"completion": c}, oracle.format_reward(c))
        elif fn == "route_count":
            c = rnd_completion(r)
            add(fn, {"completion": c}, oracle.route_count(c))
        elif fn == "resolve_model":
            n = r.choice(NAMES) if r.random() < 0.7 else r.choice(SPACES) + r.choice(NAMES).upper() + r.choice(SPACES)
            add(fn, {"name": n}, oracle.resolve_model(n))
        elif fn == "reward":
            c = rnd_completion(r)
            g = golds(r)
            ans = oracle.extract_answer(c)
            if ans is not None and r.random() < 0.5:
                g = g + [ans.upper()]
            alpha = r.choice([0.0, 0.6, 0.7, 0.8, 0.9, r.random()])
            cr = r.choice([0.0, 0.5, 1.0, r.random()])
            add(fn, {"completion": c, "golden_answers": g, "alpha": alpha, "cost_reward": cr, "metric": "em"},
                oracle.reward(c, g, alpha, cr))
        elif fn == "cost_reward_sequence":
            n = r.choice([0, 1, 2, 3, 5, 20, 50, 120]) if r.random() < 0.97 else 1100
            mode = r.choice(["int", "float", "const", "zeros"])
            if mode == "int":
                costs = [r.choice([0, 0, 0.18, 0.3, 0.88, 1.2]) * r.randint(0, 600) for _ in range(n)]
            elif mode == "float":
                costs = [round(r.random() * 500, r.choice([2, 6, 17])) for _ in range(n)]
            elif mode == "const":
                costs = [42.0] * n
            else:
                costs = [0.0] * n
            add(fn, {"costs": costs}, oracle.cost_reward_sequence(costs))
        else:
            t = r.choice(["qwen", "llama"])
            q = rnd_text(r, 8) + r.choice(["", "?", "? ", "??", " ?"])
            if q.strip() == "":
                continue
            out = oracle.render_prompt(templates[t], q)
            add(fn, {"template": t, "question": q}, sha=hashlib.sha256(out.encode("utf-8")).hexdigest())
    with open(a.out, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=True) + "\n")
    print("wrote %d vectors to %s" % (len(rows), a.out))


if __name__ == "__main__":
    main()
