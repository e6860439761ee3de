#!/usr/bin/env python3
"""Write the benchmark data files (deterministic) into the folder given."""
import json
import os
import sys


def compose():
    backends = []
    for i in range(8):
        backends.append({
            "name": f"api-{i}", "image": f"team/api{i}", "tag": f"1.{i}.0",
            "enabled": i != 5, "log_level": "debug" if i % 3 == 0 else None,
            "env": {f"FEATURE_{k}": "on" if (i + k) % 2 else "off"
                    for k in range(4)},
            "ports": [{"host": 8000 + i, "container": 8080, "proto": "tcp"},
                      {"host": 9000 + i, "container": 9090, "proto": "udp"}],
            "depends_on": ["db", "cache"] if i % 2 else [],
            "health_path": "/healthz", "critical": i < 3, "replicas": 1 + i % 3,
            "cpus": 0.5 + i / 4, "memory_mb": 256 * (1 + i % 4),
            "tags": ["edge", f"zone-{i % 2}"], "networks": ["front", "back"],
        })
    for b in backends:
        if b["log_level"] is None:
            del b["log_level"]
    return {"project": "shop", "env_name": "prod", "registry": "registry.local",
            "log": {"max_size": "10m", "max_files": 3, "level": "info"},
            "db": {"user": "app", "host": "db.internal", "port": 5432},
            "backends": backends,
            "networks": [{"name": "front", "driver": "bridge", "internal": False},
                         {"name": "back", "driver": "bridge", "internal": True}]}


def config():
    ups = [{"name": f"pool{i}", "keepalive": 16 + i,
            "servers": [{"host": f"10.0.{i}.{j}", "port": 8080 + j,
                         "weight": 1 + j, "backup": j == 3} for j in range(4)]}
           for i in range(12)]
    sites = [{"port": 443 if i % 2 else 80, "tls": bool(i % 2),
              "names": [f"s{i}.example.com", f"www.s{i}.example.com"],
              "locations": [{"path": f"/api/v{k}", "upstream": f"pool{(i + k) % 12}",
                             "headers": {"X-Site": f"s{i}", "X-Ver": str(k)},
                             "timeout": 30 + k} for k in range(3)]}
             for i in range(14)]
    return {"title": "edge proxy", "user": "www-data", "workers": 4,
            "connections": 1024, "keepalive": 65, "upstreams": ups,
            "sites": sites}


def table():
    rows = [{"id": 100000 + i, "name": f"User <{i}> & co", "active": i % 3 != 0,
             "email": f"user{i}@example.com", "score": (i * 37 % 1000) / 7}
            for i in range(10000)]
    return {"rows": rows}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, fn in (("compose", compose), ("config", config), ("table", table)):
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(fn(), f, indent=1)


if __name__ == "__main__":
    main()
