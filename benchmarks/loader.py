"""A small closed-loop HTTP load generator: N threads, each with its own connection, each sending
its next request as soon as the previous answer is read. Bounded by a request count and a time limit.

Per-request latency is measured around send + full read of the response. Loopback only.
"""

import http.client
import itertools
import threading
import time


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def run(host, port, make_request, *, concurrency, max_requests, max_seconds, expect=(200,), warmup=0):
    """make_request(i) -> (method, path, headers, body). Returns figures in milliseconds and requests/s."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies, errors = [], {}
    stop_at = [0.0]

    def one(conn, i):
        method, path, headers, body = make_request(i)
        t = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - t
        if response.will_close:
            conn.close()
        return response.status, elapsed

    def worker(record):
        conn = http.client.HTTPConnection(host, port, timeout=60)
        try:
            while True:
                i = next(counter)
                if i >= limit[0] or time.perf_counter() > stop_at[0]:
                    return
                try:
                    status, elapsed = one(conn, i)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    status, elapsed = type(exc).__name__, None
                if not record:
                    continue
                with lock:
                    if status in expect:
                        latencies.append(elapsed)
                    else:
                        errors[str(status)] = errors.get(str(status), 0) + 1
        finally:
            conn.close()

    limit = [warmup]
    if warmup:
        stop_at[0] = time.perf_counter() + max_seconds
        threads = [threading.Thread(target=worker, args=(False,)) for _ in range(min(concurrency, warmup))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    counter = itertools.count()
    limit[0] = max_requests
    started = time.perf_counter()
    stop_at[0] = started + max_seconds
    threads = [threading.Thread(target=worker, args=(True,)) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    values = sorted(latencies)
    ms = lambda v: None if v is None else round(v * 1000, 2)  # noqa: E731
    return {
        "concurrency": concurrency,
        "requests": len(values),
        "errors": errors,
        "seconds": round(wall, 2),
        "rps": round(len(values) / wall, 1) if wall else None,
        "p50_ms": ms(percentile(values, 50)),
        "p95_ms": ms(percentile(values, 95)),
        "p99_ms": ms(percentile(values, 99)),
        "mean_ms": ms(sum(values) / len(values)) if values else None,
        "max_ms": ms(values[-1]) if values else None,
    }
