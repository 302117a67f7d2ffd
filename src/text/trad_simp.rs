//! Traditional → simplified Chinese, for the characters customer-service text actually uses.
//!
//! One traditional character maps to one simplified character, so the offset map stays one char to
//! one char. The correspondences are those of the Unicode Unihan database (`kSimplifiedVariant`);
//! the selection (about 500 frequent characters of chat, commerce and the rule packs) is ours.
//! Characters not listed pass through unchanged.

/// Pairs written as `traditional simplified`, separated by spaces. Kept as text so a reviewer can
/// read and extend it.
const PAIRS: &str = "\
們们 嗎吗 麼么 這这 說说 沒没 辦办 關关 係系 為为 對对 話话 錢钱 價价 號号 碼码 銀银 幣币 轉转 賬账 \
帳账 證证 絕绝 騙骗 滾滚 腦脑 殘残 豬猪 醫医 國国 際际 級级 獨独 極极 緻致 選选 萬万 聽听 難难 問问 \
題题 當当 時时 間间 請请 謝谢 煩烦 親亲 應应 該该 給给 讓让 還还 買买 隨随 東东 發发 貨货 實实 質质 \
與与 專专 業业 叢丛 東东 絲丝 兩两 嚴严 喪丧 個个 豐丰 臨临 麗丽 舉举 義义 烏乌 樂乐 喬乔 習习 鄉乡 \
書书 買买 亂乱 爭争 於于 虧亏 雲云 亞亚 產产 畝亩 親亲 億亿 僅仅 從从 侖仑 倉仓 儀仪 們们 眾众 優优 \
會会 傘伞 偉伟 傳传 傷伤 倫伦 偽伪 體体 餘余 傭佣 僉佥 俠侠 侶侣 僥侥 偵侦 側侧 僑侨 儈侩 儕侪 儂侬 \
儉俭 債债 傾倾 償偿 儲储 兒儿 兌兑 黨党 蘭兰 關关 興兴 養养 獸兽 內内 岡冈 冊册 寫写 軍军 農农 馮冯 \
沖冲 決决 況况 凍冻 淨净 減减 湊凑 凜凛 幾几 鳳凤 憑凭 凱凯 擊击 鑿凿 劃划 劉刘 則则 剛刚 創创 刪删 \
別别 剗刬 劇剧 勸劝 辦办 務务 動动 勵励 勁劲 勞劳 勢势 勳勋 區区 醫医 華华 協协 單单 賣卖 盧卢 衛卫 \
卻却 廠厂 廳厅 曆历 厲厉 壓压 厭厌 縣县 參参 雙双 發发 變变 敘叙 葉叶 號号 嘆叹 嘰叽 嚇吓 呂吕 嗎吗 \
啟启 吳吴 員员 嘮唠 喚唤 嗆呛 嗚呜 圓圆 團团 園园 圍围 國国 圖图 聖圣 場场 壞坏 塊块 堅坚 壇坛 壩坝 \
墳坟 墜坠 壘垒 執执 報报 塵尘 牆墙 聲声 殼壳 處处 備备 復复 夠够 頭头 誇夸 夾夹 奪夺 奮奋 獎奖 婦妇 \
媽妈 嫵妩 嬌娇 孫孙 學学 寧宁 寶宝 實实 審审 寵宠 對对 尋寻 導导 將将 爾尔 塵尘 嘗尝 層层 屬属 歲岁 \
豈岂 島岛 嶺岭 幣币 師师 帶带 幫帮 幹干 廣广 莊庄 慶庆 廬庐 應应 開开 異异 棄弃 張张 彌弥 強强 歸归 \
當当 錄录 彙汇 徹彻 後后 徑径 從从 復复 憶忆 懷怀 態态 懇恳 戀恋 恆恒 惡恶 惱恼 悅悦 悶闷 惻恻 惲恽 \
愛爱 慣惯 憂忧 慮虑 憐怜 懶懒 懸悬 懼惧 戰战 戲戏 戶户 撲扑 執执 擴扩 掃扫 揚扬 擾扰 撫抚 拋抛 搶抢 \
護护 報报 擔担 擬拟 攏拢 揀拣 擁拥 攔拦 擰拧 撥拨 擇择 掛挂 擋挡 撈捞 損损 撿捡 換换 搗捣 據据 擄掳 \
擠挤 揮挥 攬揽 攪搅 摟搂 攜携 搖摇 攝摄 擺摆 數数 斂敛 斷断 無无 舊旧 時时 曠旷 晝昼 顯显 暫暂 曬晒 \
書书 會会 朧胧 術术 樸朴 機机 殺杀 雜杂 權权 條条 來来 楊杨 極极 構构 槍枪 櫃柜 檢检 樓楼 標标 棧栈 \
樣样 樹树 橋桥 櫻樱 歡欢 歐欧 歲岁 歷历 殘残 殲歼 毆殴 毀毁 氣气 漢汉 湯汤 溝沟 沒没 灃沣 漚沤 滬沪 \
潑泼 澤泽 潔洁 灑洒 濃浓 濤涛 澇涝 濕湿 溫温 滅灭 燈灯 靈灵 災灾 爐炉 點点 煉炼 爛烂 熱热 燒烧 營营 \
爺爷 牽牵 犧牺 狀状 狹狭 獄狱 貓猫 獵猎 獻献 環环 現现 瑪玛 畫画 暢畅 療疗 瘋疯 癢痒 發发 盜盗 盡尽 \
監监 盤盘 睜睁 瞭了 矚瞩 確确 礎础 禮礼 禍祸 離离 種种 積积 稱称 穩稳 窮穷 竊窃 競竞 筆笔 節节 範范 \
築筑 簡简 籃篮 糧粮 緊紧 紅红 約约 級级 紀纪 純纯 紙纸 納纳 紛纷 細细 終终 組组 結结 給给 絡络 統统 \
經经 綁绑 綜综 網网 維维 綠绿 緒绪 線线 練练 編编 緣缘 縮缩 總总 績绩 繁繁 織织 繼继 續续 纏缠 罰罚 \
罵骂 羅罗 習习 聯联 聰聪 職职 聽听 肅肃 腸肠 膚肤 腳脚 臉脸 臟脏 艦舰 艱艰 藝艺 節节 蘇苏 莖茎 薦荐 \
藥药 蟲虫 蝦虾 螞蚂 術术 補补 製制 複复 襪袜 見见 規规 視视 覺觉 覽览 觀观 觸触 計计 訂订 認认 討讨 \
讓让 訓训 議议 記记 講讲 許许 論论 設设 訪访 證证 評评 識识 詞词 譯译 試试 詩诗 誠诚 話话 該该 詳详 \
語语 誤误 說说 請请 諸诸 讀读 課课 誰谁 調调 談谈 諾诺 謀谋 謊谎 謎谜 謝谢 謹谨 譜谱 警警 負负 貢贡 \
財财 責责 賢贤 敗败 販贩 貨货 質质 貪贪 貧贫 購购 貫贯 費费 貼贴 貴贵 貸贷 貿贸 賀贺 資资 賠赔 賞赏 \
賤贱 賬账 賴赖 賺赚 購购 賽赛 贈赠 趕赶 趙赵 趨趋 躍跃 蹤踪 踐践 車车 軟软 輕轻 載载 較较 輔辅 輛辆 \
輸输 轉转 辭辞 邊边 遼辽 達达 遷迁 過过 運运 還还 這这 進进 遠远 違违 連连 遲迟 適适 選选 遞递 郵邮 \
鄰邻 醬酱 醜丑 釋释 針针 釣钓 鈔钞 鈕钮 鐵铁 鈴铃 鉛铅 銷销 鋪铺 鋼钢 錄录 錯错 錢钱 鍵键 鎖锁 鏡镜 \
鐘钟 長长 門门 閃闪 閉闭 問问 閒闲 間间 閱阅 闆板 隊队 陽阳 陰阴 陣阵 階阶 際际 陸陆 陳陈 險险 隨随 \
隱隐 雖虽 雙双 雞鸡 離离 難难 雲云 電电 霧雾 靜静 韓韩 頁页 頂顶 項项 順顺 須须 預预 頑顽 頓顿 領领 \
頻频 題题 額额 顏颜 願愿 類类 顧顾 風风 飛飞 飯饭 飲饮 飽饱 飾饰 館馆 餓饿 饒饶 馬马 駕驾 驗验 騎骑 \
驚惊 髮发 鬆松 鬥斗 鬧闹 魚鱼 鮮鲜 鳥鸟 鴨鸭 鵝鹅 麥麦 黃黄 齊齐 齒齿 龍龙 龜龟 鑒鉴 憤愤 慚惭 \
訴诉 訊讯 託托 評评 註注 詢询 賠赔 償偿 曝曝 罷罢 氫氢 圾圾 垃垃 蠢蠢 愚愚 廢废 賤贱 嬤嬷 賣卖 衝冲 \
軋轧 範范 噁恶 屍尸 瘋疯 癡痴 呆呆 傻傻 鬱郁 勸劝 綫线 衆众 裏里 爲为 衹只 祇只 隻只 甚甚 麪面 麵面 \
臺台 檯台 颱台 週周 彆别 著着 準准 鹹咸 於于 乾干 幹干 穀谷 鬍胡 剋克 鬨哄 捨舍 嚮向 瞭了 餵喂 絨绒 \
碼码 繫系 贖赎 郵邮 遞递 盃杯 淚泪 嘴嘴 撥拨 攤摊 驅驱 嚨咙 嗓嗓 飆飙 瀏浏 覽览 帳账 戶户 佈布 佔占";

const BLOCK_START: u32 = 0x4E00;
const BLOCK_LEN: usize = 0x9FFF - 0x4E00 + 1;

/// The pairs, sorted by traditional character, without duplicates or identity pairs: worked out
/// when compiling, so that the first message of a page pays nothing for them.
static TABLE: [(char, char); distinct_count(&SORTED)] = distinct(&SORTED);

/// One bit per character of the block: whether [`TABLE`] lists it. Most Han characters are not
/// traditional, and one bit test settles that.
static LISTED: [u64; BLOCK_LEN.div_ceil(64)] = {
    let mut bits = [0u64; BLOCK_LEN.div_ceil(64)];
    let mut i = 0;
    while i < TABLE.len() {
        let at = (TABLE[i].0 as u32 - BLOCK_START) as usize;
        bits[at / 64] |= 1 << (at % 64);
        i += 1;
    }
    bits
};

const SORTED: [(char, char); PAIRS.len() / 7 + 1] = sorted_pairs();

/// Every pair of [`PAIRS`] in order of (traditional, simplified); unused slots at the end hold
/// `(char::MAX, char::MAX)`. Every character of the table takes three bytes in UTF-8, so a
/// pair and its space take at least seven bytes and the array has room for all of them.
const fn sorted_pairs() -> [(char, char); PAIRS.len() / 7 + 1] {
    const UNUSED: (char, char) = (char::MAX, char::MAX);
    let mut pairs = [UNUSED; PAIRS.len() / 7 + 1];
    let bytes = PAIRS.as_bytes();
    let (mut at, mut n) = (0, 0);
    while at < bytes.len() {
        if bytes[at] == b' ' || bytes[at] == b'\n' {
            at += 1;
            continue;
        }
        let (t, next) = decode(bytes, at);
        let (s, next) = decode(bytes, next);
        // Insertion sort: a few hundred pairs, once, at compile time.
        let mut i = n;
        while i > 0 && lexically_after(pairs[i - 1], (t, s)) {
            pairs[i] = pairs[i - 1];
            i -= 1;
        }
        pairs[i] = (t, s);
        n += 1;
        at = next;
    }
    pairs
}

const fn lexically_after(a: (char, char), b: (char, char)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 > b.1)
}

/// The char at `at` of UTF-8 `bytes` and the index after it.
const fn decode(bytes: &[u8], at: usize) -> (char, usize) {
    let b = bytes[at] as u32;
    let (len, mut c) = match b {
        0..=0x7F => (1, b),
        0xC0..=0xDF => (2, b & 0x1F),
        0xE0..=0xEF => (3, b & 0x0F),
        _ => (4, b & 0x07),
    };
    let mut i = 1;
    while i < len {
        c = c << 6 | (bytes[at + i] as u32 & 0x3F);
        i += 1;
    }
    match char::from_u32(c) {
        Some(c) => (c, at + len),
        None => panic!("PAIRS is not valid UTF-8"),
    }
}

/// Whether `sorted[i]` is kept: a real change, and the first pair of its traditional character.
const fn kept(sorted: &[(char, char)], i: usize) -> bool {
    let (t, s) = sorted[i];
    t != char::MAX && t != s && (i == 0 || sorted[i - 1].0 != t)
}

const fn distinct_count(sorted: &[(char, char)]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < sorted.len() {
        if kept(sorted, i) {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn distinct<const N: usize>(sorted: &[(char, char)]) -> [(char, char); N] {
    let mut out = [('\0', '\0'); N];
    let (mut i, mut n) = (0, 0);
    while i < sorted.len() {
        if kept(sorted, i) {
            out[n] = sorted[i];
            n += 1;
        }
        i += 1;
    }
    out
}

/// One bit per character of the CJK Unified Ideographs block: whether it is a traditional
/// character with a simplified form.
pub(crate) fn traditional_bits() -> &'static [u64] {
    &LISTED
}

/// Whether `c` (U+4E00–U+9FFF) is set in [`traditional_bits`].
pub(crate) fn is_traditional_in(bits: &[u64], c: u32) -> bool {
    let i = c.wrapping_sub(BLOCK_START) as usize;
    bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

/// The simplified form of `c`, or `c` itself.
pub fn simplify(c: char) -> char {
    // Every listed character lies in the CJK Unified Ideographs block.
    if !('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return c;
    }
    if !is_traditional_in(&LISTED, c as u32) {
        return c;
    }
    match TABLE.binary_search_by_key(&c, |p| p.0) {
        Ok(i) => TABLE[i].1,
        Err(_) => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_common_characters() {
        let simplified: String = "這個我們沒辦法，請聯繫客服".chars().map(simplify).collect();
        assert_eq!(simplified, "这个我们没办法，请联系客服");
    }

    #[test]
    fn pairs_are_well_formed() {
        for pair in PAIRS.split_whitespace() {
            assert_eq!(pair.chars().count(), 2, "malformed pair {pair:?}");
            assert!(
                pair.chars().all(|c| c.len_utf8() == 3),
                "{pair:?}: three-byte characters"
            );
        }
    }

    /// The table worked out at compile time is the plain reading of the text.
    #[test]
    fn table_is_the_sorted_distinct_pairs() {
        let mut pairs: Vec<(char, char)> = PAIRS
            .split_whitespace()
            .map(|p| {
                let mut chars = p.chars();
                (chars.next().unwrap(), chars.next().unwrap())
            })
            .filter(|(t, s)| t != s)
            .collect();
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0);
        assert_eq!(&TABLE[..], &pairs[..]);
        for c in '\u{4E00}'..='\u{9FFF}' {
            let listed = pairs.binary_search_by_key(&c, |p| p.0).is_ok();
            assert_eq!(is_traditional_in(&LISTED, c as u32), listed, "{c}");
        }
    }
}
