"""`run.cluster: ray`: the run's model, rollouts and sandbox as long-lived Ray actors driven by the Prefect flow.

The flow stays the single controller (as in veRL): its tasks call the actors through `ClusterPolicy`, which gives
the pipeline the same interfaces as the local runtime (a trainer with `step`, a rollout engine with `generate` and
`encode`, a sandbox with `run`). Batches and weights travel as files under the run folder, never through Prefect.
"""
