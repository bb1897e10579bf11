#!/bin/sh
# The image's entry point: `quartier <process> [args]` runs one Quartier process in the foreground
# (exec, so it receives the container's SIGTERM and shuts down cleanly).
set -eu

process="${1:-gateway}"
[ "$#" -gt 0 ] && shift

service() {  # service NAME CLASS [nameko run options]
    name="$1" class="$2"
    shift 2
    exec nameko run --config "services/$name/config.yaml" "services.$name.service:$class" "$@"
}

case "$process" in
    identity)      service identity IdentityService "$@" ;;
    neighbourhood) service neighbourhood NeighbourhoodService "$@" ;;
    feed)          service feed FeedService "$@" ;;
    translation)   service translation TranslationService "$@" ;;
    moderation)    service moderation ModerationService "$@" ;;
    participation) service participation ParticipationService "$@" ;;
    notification)  service notification NotificationService "$@" ;;
    gateway)       exec python -m gateway.http.server "$@" ;;
    grpc)          exec python -m gateway.grpc.server "$@" ;;
    healthcheck)   exec python -m servicekit.healthcheck "$@" ;;
    *)
        echo "usage: quartier identity|neighbourhood|feed|translation|moderation|participation|notification|gateway|grpc|healthcheck ..." >&2
        exit 64
        ;;
esac
