"""Operations: /healthz, /readyz, /metrics, and the heartbeats of the processes beside the web workers.

Two layers live here. `models` and `heartbeats` import only `forum.core` and `forum.extensions`, so
the search indexer and the jobs worker (features to the left) may write their heartbeats; `services`
(the readiness report), `metrics` and `views` read every feature and stand at the right end, beside
`pages`, `api` and `admin`.
"""
