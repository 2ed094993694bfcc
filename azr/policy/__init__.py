"""The policy: rollout engines (prompts → completions) and the REINFORCE/TRR++ trainer, with exact checkpoints.

Importable with only torch and transformers installed (deepspeed only for trainer.backend=deepspeed).
"""

from azr.policy.checkpoint import load_checkpoint, save_checkpoint
from azr.policy.engine import Completion, RolloutEngine, TransformersEngine
from azr.policy.logprobs import chunked_token_logprobs, naive_token_logprobs
from azr.policy.trainer import LOSS_NORMALISATION, Trainer, TrainSample, micro_batches

__all__ = [
    "Completion", "RolloutEngine", "TransformersEngine", "Trainer", "TrainSample", "save_checkpoint",
    "load_checkpoint", "chunked_token_logprobs", "naive_token_logprobs", "LOSS_NORMALISATION", "micro_batches",
]
