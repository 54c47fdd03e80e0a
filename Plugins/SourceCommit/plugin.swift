import Foundation
import PackagePlugin

/// Records the git commit of the package's source tree in the `BuildInfo` module at build
/// time, so that a binary copied elsewhere still says what it was built from.
///
/// Runs before every build (a prebuild command), with `git` from the PATH; outside a git
/// checkout, or without git, the commit is "unknown". "-dirty" marks a tree with uncommitted
/// changes to tracked files. The generated file is only rewritten when its text changes.
@main
struct SourceCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("GeneratedSourceCommit")
        let script = """
            set -u
            source_dir="$1"; out_dir="$2"; mkdir -p "$out_dir"
            commit=$(git -C "$source_dir" rev-parse HEAD 2>/dev/null) || commit=unknown
            if [ "$commit" != unknown ] && [ -n "$(git -C "$source_dir" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
              commit="$commit-dirty"
            fi
            file="$out_dir/SourceCommit.swift"
            printf '// Generated at build time by the SourceCommit plugin; do not edit.\\nlet generatedSourceCommit = "%s"\\n' "$commit" > "$file.new"
            if cmp -s "$file.new" "$file"; then rm -f "$file.new"; else mv "$file.new" "$file"; fi
            """
        return [.prebuildCommand(
            displayName: "Recording the source commit",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", script, "source-commit", context.package.directoryURL.path, output.path],
            outputFilesDirectory: output)]
    }
}
