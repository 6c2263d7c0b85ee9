# zsh -f zsh-complete.zsh FPATH_DIR 'LINE': prints, one per line, the candidates zsh's own
# completion system offers for LINE<TAB> with the functions in FPATH_DIR (a pseudo
# terminal, zsh/zpty, runs an interactive zsh; compadd is wrapped to report what it adds).
zmodload zsh/zpty || exit 1
hits=$(mktemp) || exit 1
zpty z zsh -f -i || exit 1
zpty -w z "PROMPT=''; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "compadd () { local -a h; builtin compadd -O h \"\$@\"; print -rl -- \${^h} >>$hits; builtin compadd \"\$@\" }"
zpty -w z "$2"$'\t'
zpty -w z $'\C-u'"print done >>$hits.done"
for i in {1..300}; do [[ -e $hits.done ]] && break; sleep 0.1; done
zpty -d z
[[ -e $hits.done ]] || { print -u2 'zsh did not finish in 30 s'; rm -f $hits; exit 1 }
sort -u $hits
rm -f $hits $hits.done
