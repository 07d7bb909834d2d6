"""Webhook sending: URL safety (SSRF), signatures, and one HTTP try.

A webhook URL is checked when a subscription is saved and again before every
try, by resolving its host and checking every address it resolves to; the try
then connects to the checked address itself (with the original `Host` and TLS
server name), so a DNS answer that changes in between (DNS rebinding) cannot
steer the request to a forbidden address. Redirects are not followed.
"""

import hashlib
import hmac
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

import httpx

from app import __version__
from app.core.config import Settings
from app.core.i18n import Text, t

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance metadata services: never reachable from a webhook, whatever the settings.
METADATA_HOSTS = {"metadata.google.internal", "metadata.goog", "metadata"}
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack...
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
}
USER_AGENT = f"xqhz-platform-webhooks/{__version__}"


class UnsafeUrl(Exception):
    """The URL may not be called; `why` says so in both languages, `str()` in English
    (as delivery records keep it)."""

    why: Text

    def __init__(self, why: Text) -> None:
        super().__init__(why.en)
        self.why = why


def address_problem(ip: IPAddress, *, allow_private: bool) -> Text | None:
    """Why `ip` may not be called, or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            ip = embedded
    if ip in METADATA_ADDRESSES or ip.is_link_local:
        return t(
            f"{ip} 是链路本地地址或云元数据地址，一律不允许",
            f"{ip} is a link-local or cloud metadata address; these are never allowed",
        )
    if ip.is_unspecified or ip.is_multicast or (ip.is_reserved and not ip.is_loopback):
        return t(f"{ip} 不是单播地址", f"{ip} is not a unicast address")
    if ip.is_global or allow_private:
        return None
    return t(
        f"{ip} 是回环地址或内网地址（仅在开启 WEBHOOK_ALLOW_PRIVATE 时允许）",
        f"{ip} is a loopback or private address (allowed only with WEBHOOK_ALLOW_PRIVATE)",
    )


def _parts(url: str, settings: Settings) -> SplitResult:
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise UnsafeUrl(
            t(
                "网址中不能有空格或控制字符",
                "spaces and control characters are not allowed in a URL",
            )
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise UnsafeUrl(t(f"不是有效的网址：{exc}", f"not a valid URL: {exc}")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl(
            t(
                "须为带主机名的 http:// 或 https:// 网址",
                "an http:// or https:// URL with a host is required",
            )
        )
    needs_https = settings.app_env == "production" and not settings.webhook_allow_private
    if needs_https and parts.scheme != "https":
        raise UnsafeUrl(t("须使用 https://", "https:// is required"))
    if parts.fragment:
        raise UnsafeUrl(
            t(
                "网址中的片段（#...）不会发送，请去掉",
                "a URL fragment (#...) is not sent; leave it out",
            )
        )
    return parts


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _resolve(host: str, port: int) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[IPAddress, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        seen[ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])] = None
    return list(seen)


def checked_addresses(url: str, settings: Settings, *, strict_dns: bool) -> list[IPAddress]:
    """The addresses to connect to for `url`, every one of them allowed; else `UnsafeUrl`.

    With `strict_dns` False (when a subscription is saved) a host that does not resolve
    yet is accepted and answers []; it is checked again before every try.
    """
    parts = _parts(url, settings)
    host = (parts.hostname or "").rstrip(".").lower()
    allow = settings.webhook_allow_private
    if host in METADATA_HOSTS:
        raise UnsafeUrl(
            t(
                f"{host} 是云元数据主机，一律不允许",
                f"{host} is a cloud metadata host; it is never allowed",
            )
        )
    if host == "localhost" or host.endswith(".localhost"):
        host = "127.0.0.1"
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = _resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
        except (OSError, ValueError) as exc:  # UnicodeError is a ValueError
            if strict_dns:
                raise UnsafeUrl(
                    t(f"无法解析 {host}：{exc}", f"cannot resolve {host}: {exc}")
                ) from None
            return []
    for ip in addresses:
        if why := address_problem(ip, allow_private=allow):
            raise UnsafeUrl(why)
    return addresses


def sign(secret: str, body: bytes) -> str:
    """The `X-Webhook-Signature` value: `sha256=<hex HMAC-SHA256 of the raw body>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """What one try came to."""

    ok: bool
    response_status: int | None = None
    error: str | None = None
    duration_ms: int | None = None


def _target(parts: SplitResult, ip: IPAddress) -> str:
    host = f"[{ip}]" if ip.version == 6 else str(ip)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts._replace(netloc=f"{host}:{port}").geturl()


def _host_header(parts: SplitResult) -> str:
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port else host


def send(url: str, body: bytes, headers: dict[str, str], settings: Settings) -> Outcome:
    """POST `body` to `url` once, connecting only to checked addresses; never raises."""
    started = time.monotonic()

    def done(ok: bool, status: int | None = None, error: str | None = None) -> Outcome:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(ok, status, error[:500] if error else None, elapsed)

    try:
        addresses = checked_addresses(url, settings, strict_dns=True)
    except UnsafeUrl as exc:
        return done(False, error=f"refused: {exc}")
    parts = _parts(url, settings)
    auth = (parts.username or "", parts.password or "") if parts.username else None
    timeout = httpx.Timeout(
        settings.webhook_read_timeout_seconds, connect=settings.webhook_connect_timeout_seconds
    )
    deadline = started + settings.webhook_connect_timeout_seconds * len(addresses)
    deadline += settings.webhook_read_timeout_seconds
    request_headers = {
        **headers,
        "Host": _host_header(parts),
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
    }
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    error = "no address to connect to"
    # No connection reuse: a pooled TLS connection is keyed by address, not by server name.
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(timeout=timeout, trust_env=False, limits=limits, auth=auth) as client:
        for ip in addresses:
            try:
                request = client.build_request(
                    "POST", _target(parts, ip), content=body, headers=request_headers
                )
                request.extensions.update(extensions)
                response = client.send(request, stream=True)
                try:
                    snippet = _read_capped(response, settings.webhook_max_response_bytes, deadline)
                finally:
                    response.close()
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error = f"cannot connect to {ip}: {exc or type(exc).__name__}"
                continue
            except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, ValueError) as exc:
                return done(False, error=f"{type(exc).__name__}: {exc}")
            ok = 200 <= response.status_code < 300
            text = snippet.decode("utf-8", "replace").strip()[:200]
            reason = None if ok else f"HTTP {response.status_code}" + (f": {text}" if text else "")
            return done(ok, response.status_code, reason)
    return done(False, error=error)


def _read_capped(response: httpx.Response, limit: int, deadline: float) -> bytes:
    """Read at most `limit` bytes of the answer (undecoded) before `deadline`."""
    head = b""
    received = 0
    for chunk in response.iter_raw():
        if len(head) < 200:
            head += chunk[: 200 - len(head)]
        received += len(chunk)
        if received >= limit:
            break
        if time.monotonic() > deadline:
            raise TimeoutError("the receiver took too long to answer")
    return head
