"""recur: Keras's recurrent models (SimpleRNN, LSTM, GRU, Dense) computed by recur's Rust engine.

``recur.keras`` has Keras 3's names and signatures, so Keras code runs by changing its import
lines. ``recur.from_keras`` and ``Sequential.to_keras`` convert live Keras models (Keras is
imported only when they are called).

``recur.series`` is ``recur train``/``forecast``/``backtest`` for one series (a DataFrame, a
Series, an array or a CSV file); ``recur.many`` trains many series from a long-format pandas DataFrame (one model per series, or
one for all); ``recur.spark`` runs the same on a Spark DataFrame. They are imported on demand
(``import recur.series``, ``import recur.many``), so ``import recur`` needs neither pandas nor
pyspark.
"""

from recur._recur import __version__
from recur import keras
from recur.keras._interop import from_keras

__all__ = ["__version__", "keras", "from_keras"]
