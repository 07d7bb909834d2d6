"""School–enterprise cooperation information platform (校企合作信息服务平台)."""

__version__ = "0.1.0"
