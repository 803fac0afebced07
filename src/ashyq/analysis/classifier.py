"""The offline text classifier behind every task (cause, sector, routing).

Why this model: appeals are short, in Kazakh (two scripts), Russian, English or a mix, and the labelled
sets are small (hundreds to thousands of rows, dozens to hundreds of classes). TF-IDF over words and
character n-grams with a linear SVM trains in seconds on two cores, needs no download, copes with
typos and Kazakh suffixes through the character n-grams, and can say *why* it suggests a class: the
words of the appeal with the largest weights for it.
"""

import io
import zlib
from dataclasses import dataclass, field

import joblib
import numpy as np
import sklearn
from scipy import sparse
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from ashyq.core import wordforms

from .text import for_classifier

MIN_CLASSES = 2
# Below this many rows no share is held out to calibrate the scores (temperature 1).
MIN_ROWS_TO_CALIBRATE = 40
CALIBRATION_SHARE = 0.2
TEMPERATURES = np.geomspace(0.02, 5.0, 60)


class TrainingError(ValueError):
    """The labelled data cannot train a model (too few rows or classes); the message says what to fix."""


@dataclass
class Suggestion:
    value: str
    score: float
    # Words of the appeal that weigh most for this class, for the "why" shown to people.
    because: list[str] = field(default_factory=list)


def word_keys(text: str) -> list[str]:
    """The words of a text as search reads them (core/wordforms.py): Russian stems, Kazakh words without
    their suffixes, Latin-script Kazakh in Cyrillic. "взятку" and "взятки", "жолдың" and "jol" meet."""
    return wordforms.document_keys(text)


def build_pipeline() -> Pipeline:
    return Pipeline(
        [
            (
                "features",
                FeatureUnion(
                    [
                        (
                            "words",
                            TfidfVectorizer(
                                analyzer="word",
                                ngram_range=(1, 2),
                                min_df=1,
                                sublinear_tf=True,
                                max_features=150_000,
                                token_pattern=r"(?u)\b\w\w+\b",
                            ),
                        ),
                        (
                            "chars",
                            TfidfVectorizer(
                                analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=200_000
                            ),
                        ),
                        ("stems", TfidfVectorizer(analyzer=word_keys, sublinear_tf=True, max_features=100_000)),
                    ]
                ),
            ),
            ("classifier", LinearSVC(C=0.5, class_weight="balanced")),
        ]
    )


def build_baseline() -> Pipeline:
    """The plain reference every evaluation prints beside Ashyq's model: TF-IDF over words and character
    n-grams with a linear SVM, library defaults, nothing else."""
    return Pipeline(
        [
            (
                "features",
                FeatureUnion(
                    [
                        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
                    ]
                ),
            ),
            ("classifier", LinearSVC()),
        ]
    )


def _prepared(texts: list[str], labels: list[str]) -> list[tuple[str, str]]:
    if len(texts) != len(labels):
        raise TrainingError("texts and labels differ in length")
    pairs = [(for_classifier(t), str(lab).strip()) for t, lab in zip(texts, labels) if str(lab).strip()]
    pairs = [(t, lab) for t, lab in pairs if t]
    if len({lab for _, lab in pairs}) < MIN_CLASSES:
        raise TrainingError(
            f"at least {MIN_CLASSES} different labels are needed, found "
            f"{len({lab for _, lab in pairs})} in {len(pairs)} labelled rows with text"
        )
    return pairs


def _fit(pipeline: Pipeline, pairs) -> Pipeline:
    try:
        pipeline.fit([t for t, _ in pairs], [lab for _, lab in pairs])
    except ValueError as exc:  # e.g. texts with no word of two letters at all
        raise TrainingError(f"the texts cannot be learned from: {exc}") from None
    return pipeline


def _softmax(values: np.ndarray, temperature: float) -> np.ndarray:
    z = values / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _temperature(classifier, features, labels: list[str], texts: list[str]) -> float:
    """The temperature that makes softmax(margins / T) honest probabilities: a copy of the classifier is fitted
    on the rows of four fifths of the distinct texts and the temperature with the least log-loss on the rest is
    kept. Identical texts stay on one side, so a duplicate cannot make the held-out rows look easier than they
    are. (The TF-IDF weights are fitted once on every text, labels unseen, and shared by both fits.)"""
    held = np.array([(zlib.crc32(t.encode("utf-8")) % 1000) < CALIBRATION_SHARE * 1000 for t in texts])
    labels_array = np.array(labels)
    fit_rows, check_rows = np.flatnonzero(~held), np.flatnonzero(held)
    if len(set(labels_array[fit_rows])) < MIN_CLASSES or not len(check_rows):
        return 1.0
    model = clone(classifier).fit(features[fit_rows], labels_array[fit_rows])
    names = [str(c) for c in model.classes_]
    known = [i for i in check_rows if labels_array[i] in names]
    if not known:
        return 1.0
    values = model.decision_function(features[known])
    if values.ndim == 1:
        values = np.column_stack([-values, values])
    truth = np.array([names.index(labels_array[i]) for i in known])
    losses = [-np.log(_softmax(values, t)[np.arange(len(truth)), truth] + 1e-12).mean() for t in TEMPERATURES]
    return float(TEMPERATURES[int(np.argmin(losses))])


def train(texts: list[str], labels: list[str], calibrate: bool = True) -> Pipeline:
    pairs = _prepared(texts, labels)
    pipeline = build_pipeline()
    prepared, targets = [t for t, _ in pairs], [lab for _, lab in pairs]
    try:
        features = pipeline.named_steps["features"].fit_transform(prepared)
        calibrated = calibrate and len(pairs) >= MIN_ROWS_TO_CALIBRATE
        temperature = _temperature(pipeline.named_steps["classifier"], features, targets, prepared) if calibrated else 1.0
        pipeline.named_steps["classifier"].fit(features, targets)
    except ValueError as exc:  # e.g. texts with no word of two letters at all
        raise TrainingError(f"the texts cannot be learned from: {exc}") from None
    pipeline.ashyq_temperature = temperature
    pipeline.ashyq_calibrated = calibrated
    return pipeline


def is_calibrated(pipeline: Pipeline) -> bool:
    """Are its scores probabilities (a temperature fitted on held-out rows), so a threshold means something?"""
    return bool(getattr(pipeline, "ashyq_calibrated", False))


def train_baseline(texts: list[str], labels: list[str]) -> Pipeline:
    pipeline = _fit(build_baseline(), _prepared(texts, labels))
    pipeline.ashyq_temperature = 1.0
    return pipeline


def classes(pipeline: Pipeline) -> list[str]:
    return [str(c) for c in pipeline.named_steps["classifier"].classes_]


def scores(pipeline: Pipeline, texts: list[str], prepared: bool = False) -> np.ndarray:
    """Decision scores, one row per text and one column per class (two-class models give one column)."""
    values = pipeline.decision_function(texts if prepared else [for_classifier(t) for t in texts])
    if values.ndim == 1:  # binary: positive means classes_[1]
        values = np.column_stack([-values, values])
    return values


def probabilities(pipeline: Pipeline, texts: list[str]) -> np.ndarray:
    """Calibrated probabilities: the softmax of the margins at the temperature fitted when training (models
    trained before calibration existed have temperature 1, a relative score only)."""
    return _softmax(scores(pipeline, texts), getattr(pipeline, "ashyq_temperature", 1.0))


def top_k(pipeline: Pipeline, texts: list[str], k: int = 3) -> list[list[str]]:
    values = scores(pipeline, texts)
    names = classes(pipeline)
    order = np.argsort(-values, axis=1)[:, :k]
    return [[names[i] for i in row] for row in order]


def _tfidf_one(vectorizer: TfidfVectorizer, text: str):
    """TfidfVectorizer.transform([text]) for a fitted vectorizer: the counts by the vectorizer's own analyzer and
    vocabulary (CountVectorizer.transform), then its tf-idf weighting and l2 norm done here on one row, where the
    library's input validation of the counts would cost more than the arithmetic."""
    counts = CountVectorizer.transform(vectorizer, [text]).astype(np.float64)
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1
    if vectorizer.use_idf:
        counts.data *= vectorizer.idf_[counts.indices]
    if vectorizer.norm == "l2":
        norm = np.sqrt(np.dot(counts.data, counts.data))
        if norm:
            counts.data /= norm
    elif vectorizer.norm:
        return vectorizer.transform([text])
    return counts


def _one_text(pipeline: Pipeline, prepared: str):
    """(the words' vector, the decision scores) of one prepared text, as `pipeline.decision_function` computes
    them but without its per-call input checks and job dispatch, which cost several times the arithmetic for a
    single text. Each vectorizer reads the text once; the words' vector is also what the reasons are read from."""
    union, model = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
    weights = union.transformer_weights or {}
    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        parts = [(name, _tfidf_one(step, prepared)) for name, step in union.transformer_list if step not in ("drop", None)]
    features = sparse.hstack([v * weights[name] if name in weights else v for name, v in parts], format="csr")
    values = np.asarray(features @ model.coef_.T) + model.intercept_
    if values.shape[1] == 1:  # binary: positive means classes_[1]
        values = np.column_stack([-values[:, 0], values[:, 0]])
    return parts[0][1], values


def suggest(pipeline: Pipeline, text: str, k: int = 3, allowed: set[str] | None = None) -> list[Suggestion]:
    """The k best classes for one text, with the appeal's own words that weigh most for each."""
    prepared = for_classifier(text)
    words, values = _one_text(pipeline, prepared)
    probs = _softmax(values, getattr(pipeline, "ashyq_temperature", 1.0))[0]
    names = classes(pipeline)
    order = [i for i in np.argsort(-probs) if allowed is None or names[i] in allowed][:k]
    return [Suggestion(names[i], float(probs[i]), _because(pipeline, text, i, vector=words)) for i in order]


def _feature_names(vectorizer):
    # Building the names of 150,000 features takes tens of milliseconds: once per loaded model.
    names = getattr(vectorizer, "_ashyq_feature_names", None)
    if names is None:
        names = vectorizer.get_feature_names_out()
        vectorizer._ashyq_feature_names = names
    return names


def _because(pipeline: Pipeline, text: str, class_index: int, limit: int = 4, vector=None) -> list[str]:
    features = pipeline.named_steps["features"]
    words_vectorizer = features.transformer_list[0][1]
    classifier = pipeline.named_steps["classifier"]
    coef = classifier.coef_
    if coef.shape[0] == 1:  # binary
        row = coef[0] if class_index == 1 else -coef[0]
    else:
        row = coef[class_index]
    if vector is None:
        vector = words_vectorizer.transform([for_classifier(text)])
    n_words = len(words_vectorizer.vocabulary_)
    indices = vector.indices
    contributions = vector.data * np.asarray(row[:n_words])[indices]
    vocabulary = _feature_names(words_vectorizer)
    ranked = sorted(zip(contributions, indices), reverse=True)
    return [str(vocabulary[i]) for c, i in ranked if c > 0][:limit]


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """How far the top suggestion's probability is from how often it is right, averaged over ten equal-width
    bins of probability, weighted by the rows in each (0 is perfectly calibrated)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def evaluate(pipeline: Pipeline, texts: list[str], labels: list[str]) -> dict:
    """Top-1 and top-3 accuracy, macro-F1, weighted-F1 and expected calibration error on labelled rows the
    model has not seen."""
    labels = [str(lab).strip() for lab in labels]
    probs = probabilities(pipeline, texts)
    names = classes(pipeline)
    order = np.argsort(-probs, axis=1)[:, :3]
    predictions = [[names[i] for i in row] for row in order]
    top1 = [p[0] for p in predictions]
    correct = np.array([lab == p for lab, p in zip(labels, top1)], dtype=float)
    return {
        "rows": len(labels),
        "classes_in_test": len(set(labels)),
        "unknown_labels": sorted(set(labels) - set(classes(pipeline))),
        "top1_accuracy": round(float(accuracy_score(labels, top1)), 4),
        "top3_accuracy": round(sum(lab in p for lab, p in zip(labels, predictions)) / max(len(labels), 1), 4),
        "macro_f1": round(float(f1_score(labels, top1, average="macro", zero_division=0)), 4),
        "weighted_f1": round(float(f1_score(labels, top1, average="weighted", zero_division=0)), 4),
        "expected_calibration_error": round(expected_calibration_error(probs[np.arange(len(labels)), order[:, 0]], correct), 4),
    }


def compare_with_baseline(train_texts, train_labels, test_texts, test_labels) -> dict:
    """Ashyq's model and the plain baseline, trained on the same rows in the same run and scored on the same
    held-out rows."""
    import time

    out = {}
    for name, fit in (("ashyq", train), ("baseline_tfidf_linearsvc", train_baseline)):
        started = time.perf_counter()
        model = fit(train_texts, train_labels)
        seconds = time.perf_counter() - started
        out[name] = {**evaluate(model, test_texts, test_labels), "train_seconds": round(seconds, 1)}
        if name == "ashyq":
            out[name]["temperature"] = round(model.ashyq_temperature, 4)
    return out


def redirects_saved(pipeline: Pipeline, texts: list[str], labels: list[str], first: list[str]) -> dict:
    """Of the appeals first sent to a body other than the one that finally answered, how many the first
    suggestion (or the first three) would have sent straight to the right body."""
    top = top_k(pipeline, texts, k=3)
    redirected = [i for i in range(len(labels)) if first[i] and first[i] != labels[i]]
    saved = sum(1 for i in redirected if top[i][0] == labels[i])
    return {
        "redirected_in_test": len(redirected),
        "redirects_saved_by_top1": saved,
        "redirects_saved_share": round(saved / len(redirected), 4) if redirected else None,
        "final_body_in_top3_of_redirected": sum(1 for i in redirected if labels[i] in top[i]),
    }


def cross_validate(texts: list[str], labels: list[str], folds: int = 5, seed: int = 2026, first: list[str] | None = None) -> dict:
    """Stratified k-fold scores (mean and per fold). Classes with fewer rows than folds are kept in
    training but cannot be stratified; the report says how many rows they had. With `first` (routing:
    the body each appeal was first sent to), also the redirects the suggestions would have saved."""
    labels = [str(lab).strip() for lab in labels]
    counts = {lab: labels.count(lab) for lab in set(labels)}
    strat = [lab if counts[lab] >= folds else "__rare__" for lab in labels]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    per_fold = []
    for train_idx, test_idx in splitter.split(texts, strat):
        model = train([texts[i] for i in train_idx], [labels[i] for i in train_idx])
        fold = evaluate(model, [texts[i] for i in test_idx], [labels[i] for i in test_idx])
        if first is not None:
            fold.update(
                redirects_saved(model, [texts[i] for i in test_idx], [labels[i] for i in test_idx], [first[i] for i in test_idx])
            )
        per_fold.append(fold)
    keys = ("top1_accuracy", "top3_accuracy", "macro_f1", "weighted_f1", "expected_calibration_error")
    saved = {}
    if first is not None:
        redirected = sum(f["redirected_in_test"] for f in per_fold)
        top1 = sum(f["redirects_saved_by_top1"] for f in per_fold)
        saved = {
            "redirected_in_test": redirected,
            "redirects_saved_by_top1": top1,
            "redirects_saved_share": round(top1 / redirected, 4) if redirected else None,
            "final_body_in_top3_of_redirected": sum(f["final_body_in_top3_of_redirected"] for f in per_fold),
        }
    return {
        "folds": folds,
        "rows": len(labels),
        "classes": len(counts),
        "rare_classes": sorted(lab for lab, n in counts.items() if n < folds),
        **{k: round(float(np.mean([f[k] for f in per_fold])), 4) for k in keys},
        **{f"{k}_std": round(float(np.std([f[k] for f in per_fold])), 4) for k in keys},
        **saved,
    }


def dumps(pipeline: Pipeline) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    return buffer.getvalue()


def loads(blob: bytes) -> Pipeline:
    return joblib.load(io.BytesIO(bytes(blob)))
