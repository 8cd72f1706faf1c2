#!/bin/sh
# Like the official image: render /etc/nginx/templates/*.template into /etc/nginx/conf.d/ with envsubst,
# substituting only variables that are defined in the environment (so nginx's own $vars survive).
set -e

ME=$(basename "$0")

entrypoint_log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$@"
    fi
}

add_stream_block() {
    conffile="/etc/nginx/nginx.conf"
    if grep -q -E "\s*stream\s*\{" "$conffile"; then
        entrypoint_log "$ME: $conffile contains a stream block; include $stream_output_dir/*.conf to enable stream templates"
    elif [ -w "$conffile" ]; then
        entrypoint_log "$ME: Appending stream block to $conffile to include $stream_output_dir/*.conf"
        printf '# added by "%s" on "%s"\nstream {\n  include %s/*.conf;\n}\n' "$ME" "$(date)" "$stream_output_dir" >> "$conffile"
    else
        entrypoint_log "$ME: $conffile is not writable, unable to include $stream_output_dir/*.conf"
    fi
}

render() {  # dir suffix output_dir
    find "$1" -follow -type f -name "*$2" -print | while read -r template; do
        relative_path="${template#"$1/"}"
        output_path="$3/${relative_path%"$2"}"
        subdir=$(dirname "$relative_path")
        mkdir -p "$3/$subdir"
        entrypoint_log "$ME: Running envsubst on $template to $output_path"
        envsubst "$defined_envs" < "$template" > "$output_path"
    done
}

auto_envsubst() {
    template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
    suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
    output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
    stream_suffix="${NGINX_ENVSUBST_STREAM_TEMPLATE_SUFFIX:-.stream-template}"
    stream_output_dir="${NGINX_ENVSUBST_STREAM_OUTPUT_DIR:-/etc/nginx/stream-conf.d}"
    filter="${NGINX_ENVSUBST_FILTER:-}"

    defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" < /dev/null))
    [ -d "$template_dir" ] || return 0
    if [ ! -w "$output_dir" ]; then
        entrypoint_log "$ME: ERROR: $template_dir exists, but $output_dir is not writable"
        return 0
    fi
    render "$template_dir" "$suffix" "$output_dir"

    if [ -n "$(find "$template_dir" -name "*$stream_suffix" -print | head -n 1)" ]; then
        mkdir -p "$stream_output_dir"
        if [ ! -w "$stream_output_dir" ]; then
            entrypoint_log "$ME: ERROR: $template_dir exists, but $stream_output_dir is not writable"
            return 0
        fi
        add_stream_block
        render "$template_dir" "$stream_suffix" "$stream_output_dir"
    fi
}

auto_envsubst

exit 0
