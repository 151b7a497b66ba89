__version__ = "0.1.0"
from .utils import StemproverError, AudioError, ConfigError
from .core import *
