"""Python oracle for the conformance vectors (our own code, written from DESIGN.md §2).

It restates the Router-R1 reference semantics with Python's own `re` and `str`, so the golden vectors
check the TypeScript port against real Python behaviour (Unicode word boundaries, str.isspace,
str.lower, numpy percentiles). Used only by gen_vectors.py; the app never runs it.
"""
import re
import string
from collections import Counter, deque

import numpy as np


def normalize_answer(text):
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction, golden_answers):
    p = normalize_answer(prediction)
    return 1 if any(normalize_answer(g) == p for g in golden_answers) else 0


def _f1_one(prediction, gold):
    p, g = normalize_answer(prediction), normalize_answer(gold)
    special = ("yes", "no", "noanswer")
    if (p in special or g in special) and p != g:
        return 0
    pt, gt = p.split(), g.split()
    same = sum((Counter(pt) & Counter(gt)).values())
    if same == 0:
        return 0
    precision = 1.0 * same / len(pt)
    recall = 1.0 * same / len(gt)
    return (2 * precision * recall) / (precision + recall)


def f1(prediction, golden_answers):
    best = 0.0
    for g in golden_answers:
        s = _f1_one(prediction, g)
        if s > best:
            best = s
    return best


def extract_answer(completion):
    blocks = list(re.finditer(r"<answer>(.*?)</answer>", completion, re.DOTALL))
    return blocks[-1].group(1).strip() if blocks else None


def resolve_model(name):
    n = name.strip().lower()
    if "qwen" in n:
        return "qwen/qwen2.5-7b-instruct"
    if "palmyra" in n or "creative" in n:
        return "writer/palmyra-creative-122b"
    if "llama" in n:
        if "70b" in n:
            return "meta/llama-3.1-70b-instruct"
        if "51b" in n:
            return "nvidia/llama-3.1-nemotron-51b-instruct"
        if "49b" in n:
            return "nvidia/llama-3.3-nemotron-super-49b-v1"
        if "8b" in n:
            return "nvidia/llama3-chatqa-1.5-8b" if "chatqa" in n else "meta/llama-3.1-8b-instruct"
        return ""
    if "mistral" in n:
        return "mistralai/mistral-7b-instruct-v0.3"
    if "mixtral" in n:
        return "mistralai/mixtral-8x22b-instruct-v0.1"
    if "granite" in n:
        return "ibm/granite-3.0-8b-instruct"
    if "gemma" in n:
        return "google/gemma-2-27b-it"
    return ""


TAGS = ("search", "answer", "think", "information")


def _bad_route(content):
    if content.count(":") != 1:
        return True
    name, query = content.split(":")
    low = content.lower()
    if query.strip() == "" or "llm-name" in low or "your-query" in low:
        return True
    if name.strip().lower() in query.strip().lower():
        return True
    return resolve_model(name) == ""


def format_reward(completion):
    blocks = re.findall(r"<(search|answer|think|information)>(.*?)</\1>", completion, re.DOTALL)
    if not blocks:
        return -1
    if any(completion.count("<%s>" % t) != completion.count("</%s>" % t) for t in TAGS):
        return -1
    counts = Counter()
    bad = False
    for tag, raw in blocks:
        content = raw.strip()
        counts[tag] += 1
        if tag == "search" and _bad_route(content):
            bad = True
        if tag == "think" and content in ("", "..."):
            bad = True
        if any(("<%s>" % t) in content or ("</%s>" % t) in content for t in TAGS):
            bad = True
    if bad:
        return -1
    if counts["answer"] != 1 or counts["think"] == 0 or counts["search"] != counts["information"]:
        return -1
    s = completion.strip()
    if not s.startswith("<think>") or s.rfind("</answer>") + 9 != len(s):
        return -1
    return 0


def route_count(completion):
    count, invalid = 0, False
    for tag, raw in re.findall(r"<(search|answer)>(.*?)</\1>", completion, re.DOTALL):
        if tag != "search":
            continue
        c = raw.strip()
        if c.count(":") != 1 or c.split(":")[-1].strip() == "" or "llm-name" in c.lower() or "your-query" in c.lower():
            invalid = True
        elif resolve_model(c.split(":")[0]) == "":
            invalid = True
        if not invalid:
            count += 1
    return count


def cost_reward_sequence(costs):
    window = deque(maxlen=1000)
    out = []
    for c in costs:
        x = np.sqrt(c)
        window.append(x)
        arr = np.array(window)
        if len(arr) >= 2:
            lo, hi = np.percentile(arr, 5.0), np.percentile(arr, 95.0)
        else:
            lo, hi = arr.min(), arr.max()
        if hi - lo < 1e-8:
            out.append(0.5)
        else:
            out.append(1.0 - float(np.clip((x - lo) / (hi - lo), 0.0, 1.0)))
    return out


def reward(completion, golden_answers, alpha, cost_reward, metric="em"):
    if format_reward(completion) == -1:
        return -1
    answer = extract_answer(completion)
    if answer is None or exact_match(answer, golden_answers) == 0:
        return 0
    return (1 - alpha) + alpha * cost_reward


def render_prompt(template_text, question):
    q = question.strip()
    if q[-1] != "?":
        q += "?"
    return template_text.format_map({"question": q})
